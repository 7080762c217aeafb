/* -O2 fixture: parameters and locals live in registers and location lists, some
 * only part of the time (HARD-CASES F4). Tests stop at marked lines and compare
 * every value with gdb's: equal, or <optimized out> where we cannot recover it. */
#include <stdio.h>

struct pair { long a, b; };

__attribute__((noinline)) static long observe(long x)
{
    static volatile long sink;
    sink = x;
    return sink;
}

__attribute__((noinline)) long crunch(int n, const int *data, struct pair p)
{
    int sum = 0, max = data[0];
    long prod = 1;
    for (int i = 0; i < n; i++) {
        int v = data[i];
        sum += v;
        if (v > max)
            max = v;
        prod *= (v | 1);
        observe(prod + i);                                  /* BREAK:loop */
    }
    long total = sum + max + prod + p.a * p.b;
    observe(total);                                         /* BREAK:after */
    return total;
}

static inline long scale(long x, int k)
{
    long t = x * k + k;
    return t + observe(t);                                  /* BREAK:inline */
}

int main(int argc, char **argv)
{
    int data[6] = { 3, 9, 4, 1, 7, argc };
    struct pair p = { 5, argc + 6 };
    (void)argv;
    printf("%ld\n", crunch(6, data, p));
    printf("%ld\n", scale(argc * 1000, argc + 2));
    return 0;
}
