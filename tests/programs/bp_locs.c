/* Breakpoints with several locations (tests/test_bp_locations.py).
   scale() is inlined into first(), second() and main() even at -O0: `break scale` has
   a location in each, in three different functions (gdb carries a disabled location
   over a re-run by that name). The #line directives give first() and second() one
   source line in common, SHARED below: `break bp_locs.c:100` has a location in each,
   and only first() has an `a`, only second() a `b`. */
#include <stdio.h>

volatile int sink;

static inline __attribute__((always_inline)) int scale(int x)
{
    int y = x * 3;
    sink += y;
    return y;
}

__attribute__((noinline)) int first(int a)
{
    sink += scale(a);
#line 100
    return sink + a;                    /* SHARED */
#line 24
}

__attribute__((noinline)) int second(int b)
{
    sink += scale(b);
#line 100
    return sink - b;                    /* SHARED */
#line 32
}

int main(void)
{
    int total = scale(7);
    for (int i = 0; i < 3; i++)
        total += first(i) + second(i);
    printf("total=%d\n", total & 0xff);
    return 0;
}
