/* Faults and load (tests/test_faults.py, tests/test_load.py, tests/test_bp_bytes_property.py,
   bench/soak.py). Modes:
     hits N     call hit() N times, then print the sum
     spin       call hit() forever, napping 1 ms each 1000 calls (killed from outside)
     slow       call slow_call() (sleeps 300 ms) between two hit() calls
     big        map 1 GiB, touch one byte per MiB, stop in hit() with its address in `big` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

volatile long total;
char *big;

__attribute__((noinline)) void hit(long i)
{
    total += i;                                  /* hit body */
}

__attribute__((noinline)) void slow_call(void)
{
    struct timespec ts = { 0, 300 * 1000 * 1000 };
    nanosleep(&ts, NULL);                        /* slow body */
}

__attribute__((noinline)) long mix(long a, long b)
{
    long r = a * 31 + b;                         /* mix body */
    if (r & 1)
        r ^= 0x55;
    return r;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "hits";
    if (!strcmp(mode, "hits")) {
        long n = argc > 2 ? atol(argv[2]) : 10;
        for (long i = 0; i < n; i++)
            hit(i);
        printf("total=%ld\n", total);
    } else if (!strcmp(mode, "spin")) {
        struct timespec ts = { 0, 1000 * 1000 };
        for (long i = 0;; i++) {
            hit(i);
            if (i % 1000 == 0)
                nanosleep(&ts, NULL);
        }
    } else if (!strcmp(mode, "slow")) {
        hit(1);
        slow_call();                             /* the slow line */
        hit(2);
        printf("total=%ld\n", total);
    } else if (!strcmp(mode, "big")) {
        size_t size = 1UL << 30;
        big = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (big == MAP_FAILED)
            return 2;
        for (size_t off = 0; off < size; off += 1 << 20)
            big[off] = (char)(off >> 20);
        hit(0);
        printf("big done\n");
    } else if (!strcmp(mode, "mix")) {
        long r = 0;
        for (long i = 0; i < (argc > 2 ? atol(argv[2]) : 50); i++) {
            r = mix(r, i);
            hit(r & 0xff);
        }
        printf("total=%ld r=%ld\n", total, r);
    }
    return 0;
}
