/* Two threads, each looping on its own function (its own breakpoint): under
   all-stop `continue` must report both in turn, not one while the other starves.
   Mode "locked": the same loops, for `set scheduler-locking` (only the current
   thread may move). Mode "int3": a permanent breakpoint compiled into the code. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 200

volatile long count_a, count_b;
static volatile int go;

__attribute__((noinline)) void tick_a(void)
{
    count_a++;
}

__attribute__((noinline)) void tick_b(void)
{
    count_b++;
}

static void *loop_a(void *arg)
{
    (void)arg;
    while (!go)
        ;
    for (int i = 0; i < ROUNDS; i++)
        tick_a();
    return NULL;
}

static void *loop_b(void *arg)
{
    (void)arg;
    while (!go)
        ;
    for (int i = 0; i < ROUNDS; i++)
        tick_b();
    return NULL;
}

static int mode_fair(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, loop_a, NULL);
    pthread_create(&b, NULL, loop_b, NULL);
    go = 1;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("a=%ld b=%ld\n", count_a, count_b);
    return count_a == ROUNDS && count_b == ROUNDS ? 0 : 1;
}

/* The other thread spins forever bumping count_b; main steps through its own
   lines and calls tick_a: with scheduler-locking on, count_b must not move. */
static void *spin_b(void *arg)
{
    (void)arg;
    for (;;)
        tick_b();
    return NULL;
}

static int mode_locked(void)
{
    pthread_t b;
    pthread_create(&b, NULL, spin_b, NULL);
    while (count_b < 1000)
        usleep(100);
    for (int i = 0; i < 5; i++) {
        tick_a();               /* LOCKED-LOOP */
        usleep(1000);
    }
    printf("a=%ld\n", count_a); /* LOCKED-END */
    return 0;
}

static int mode_int3(void)
{
    count_a = 1;
    __asm__ volatile("int3");   /* INT3-HERE */
    count_a = 2;                /* AFTER-INT3 */
    tick_a();
    printf("a=%ld\n", count_a);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "fair";
    if (!strcmp(mode, "fair"))
        return mode_fair();
    if (!strcmp(mode, "locked"))
        return mode_locked();
    if (!strcmp(mode, "int3"))
        return mode_int3();
    return 2;
}
