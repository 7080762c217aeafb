/* Optimised-code fixture (HARD-CASES B10, F4, F6), built with -O2: an inlined
 * helper used three times, a hot/cold split function (checked.cold, reached when
 * the program gets two arguments), and values that live in callee-saved
 * registers of a caller frame (keeper). tests/test_stepping.py uses these line
 * numbers: keep them stable. */
#include <stdio.h>

volatile int sink;

static inline int helper(int x)
{
    int y = x * 3;
    sink = y;
    return y + 1;
}

__attribute__((noinline)) int leaf(int v)
{
    sink = v;
    return v + 2;
}

__attribute__((cold, noinline)) void complain(int v)
{
    fprintf(stderr, "negative %d\n", v);
}

__attribute__((noinline)) int checked(int v)
{
    if (v < 0) {
        complain(v);
        sink = leaf(-v);
        sink += leaf(v * 3);
        return -1;
    }
    return v * 2;
}

__attribute__((noinline)) long keeper(long a, long b)
{
    long kept = a * 7 + b;
    long other = a ^ b;
    int r = leaf((int)kept);
    return kept + other + r;
}

int main(int argc, char **argv)
{
    (void)argv;
    int a = helper(argc);
    int b = helper(a + 1);
    int c = helper(b * 2);
    long k = keeper(a, b);
    int d = checked(argc > 2 ? -c : c);
    printf("%d %d %d %ld %d\n", a, b, c, k, d);
    return 0;
}
