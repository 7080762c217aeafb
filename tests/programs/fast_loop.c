/* Fast conditional breakpoints: a hot function, a struct through a pointer, a logpoint. */
#include <stdio.h>
#include <stdlib.h>

struct item { int key; long weight; unsigned char flag; };

volatile long total;
int g_mode = 3;
struct item items[4] = {{1, 10, 0}, {2, 20, 1}, {3, 30, 0}, {4, 40, 1}};

int tick(int i, struct item *it) {
    int local = i * 2;                              /* FAST:tick */
    total += local + it->key;
    return local;
}

void log_pair(int a, int b) {
    total += a ^ b;                                 /* FAST:log */
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    for (long i = 0; i < n; i++) {
        tick((int)i, &items[i & 3]);                /* FAST:loop */
        log_pair((int)i, (int)(n - i));
    }
    printf("total %ld\n", total);
    return 0;
}
