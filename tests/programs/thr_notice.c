/* Threads coming and going, for gdb's [New Thread ...] / [Thread ... exited] /
 * [Switching to Thread ...] notices (tests/test_thread_notices.py). Prints nothing:
 * the notices are the output. "join": two workers one after the other, each calling
 * work(); "signal": a worker that exits, two that sleep, SIGUSR1 sent to the last.
 * The sleeps make the order of events the same in every run (the main thread is
 * blocked in pthread_join when a worker stops; an exit is reaped before the next
 * thread starts), so two debuggers print the same thing. */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

volatile int sink;

void work(int n)
{
    sink += n;
}

static void *worker(void *arg)
{
    usleep(20000);
    work((int)(long)arg);
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t[3];
    if (argc > 1 && strcmp(argv[1], "signal") == 0) {
        pthread_create(&t[0], NULL, sleeper, NULL);
        pthread_create(&t[1], NULL, worker, (void *)1L);
        pthread_join(t[1], NULL);
        usleep(20000);
        pthread_create(&t[2], NULL, sleeper, NULL);
        usleep(20000);
        pthread_kill(t[2], SIGUSR1);
        pause();
        return 0;
    }
    for (long i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, worker, (void *)i);
        pthread_join(t[i], NULL);
        usleep(20000);
    }
    return 0;
}
