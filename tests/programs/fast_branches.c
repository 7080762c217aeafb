/* Fast breakpoints whose covered bytes hold a branch or a call (tests/test_jump_pad_branches.py). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

volatile long sink;
long ticks, seen;

void tick(void) {
    ticks++;                                        /* FAST:tick */
    sink += ticks;
}

int scan(const int *v, int n, int want) {
    int i = 0;
    while (v[i] != want && i < n)                   /* FAST:scan */
        i++;
    return i;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100;
    int v[64];
    for (int k = 0; k < 64; k++)
        v[k] = (k * 7) % 64;
    long found = 0;
    for (int i = 0; i < n; i++) {
        tick();                                     /* FAST:call */
        found += scan(v, 63, i % 64);
        if (i == n - 1)
            break;                                  /* FAST:break */
        seen += i;
        sink += v[i % 64] * 3 + v[(i + 1) % 64] * 5 + v[(i + 2) % 64] * 7 + v[(i + 3) % 64];
        sink += v[(i + 4) % 64] * 11 + v[(i + 5) % 64] * 13 + v[(i + 6) % 64] * 17;
        getpid();                                   /* FAST:pltcall */
    }
    printf("ticks %ld seen %ld found %ld\n", ticks, seen, found);
    return 0;
}
