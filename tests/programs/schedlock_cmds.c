/* `set scheduler-locking` per resuming command (exec/schedlock.py): a spinning thread
   bumps count_b while main resumes. quiet() returns at once; wait_b() returns only once
   count_b moved, so it is reached only by resumes that let every thread run (with an
   argument: `step` mode), never under a lock that would keep it waiting forever. */
#include <pthread.h>
#include <unistd.h>

volatile long count_b;

static void *spin_b(void *arg)
{
    (void)arg;
    for (;;)
        count_b++;
    return NULL;
}

__attribute__((noinline)) int quiet(int x)
{
    return x * 2 + 1;           /* QUIET-BODY */
}

__attribute__((noinline)) void wait_b(void)
{
    long seen = count_b;        /* WAIT-BODY */
    while (count_b == seen)
        usleep(100);
}

int main(int argc, char **argv)
{
    pthread_t b;
    int r = 0;
    (void)argv;
    pthread_create(&b, NULL, spin_b, NULL);
    while (count_b < 1000)
        usleep(100);
    r += quiet(1);              /* LOCKED-NEXT */
    r += quiet(2);              /* LOCKED-STEP */
    r += quiet(3);              /* LOCKED-STEPI */
    if (argc > 1) {
        wait_b();               /* FREE-UNTIL */
        wait_b();               /* FREE-FINISH */
        r += quiet(5);
        wait_b();
        r += quiet(6);          /* FREE-UNTIL-LOCATION */
        wait_b();
        r += quiet(7);          /* FREE-ADVANCE */
        wait_b();
        r += quiet(8);          /* FREE-CONTINUE */
    }
    r += quiet(9);              /* ON-ADVANCE */
    return r & 1;               /* ON-CONTINUE */
}
