/* Names and layouts gdb treats specially: asm labels (glibc's __GI_* style),
   hot/cold split functions (foo.cold, DW_AT_ranges), recursion. */
#include <stdio.h>
#include <stdlib.h>

int labelled(int x) __asm__("__GI_labelled");
int labelled(int x)
{
    return x * 3 + (x > 5 ? x / 7 : x * x);
}

static int quiet(int x) __asm__("__quiet_impl");
static int quiet(int x)
{
    return x - 1;
}

__attribute__((cold, noinline)) static void report(const char *what, int v)
{
    fprintf(stderr, "%s %d\n", what, v);
}

int table[100];

/* At -O2 the error path goes to lookup.cold in .text.unlikely. */
__attribute__((noinline)) int lookup(int n)
{
    int r = 0;
    for (int k = 0; k < n; k++) {
        if (k >= 100) {
            report("index out of range:", k);
            report("giving up at", k);
            exit(2);
        }
        r += table[k];
    }
    return r;
}

int recurse(int n)
{
    if (n <= 1)
        return 1;
    return n + recurse(n - 1);
}

int main(int argc, char **argv)
{
    (void)argv;
    int r = labelled(argc) + quiet(argc) + recurse(argc + 3);
    r += lookup(argc);
    printf("%d\n", r);
    return r == 7;
}
