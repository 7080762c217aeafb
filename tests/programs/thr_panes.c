/* Threads for the TUI's threads pane: three named workers parked in worker_wait
   (a busy loop, so each one's pc is in this file), main stopped in all_parked. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define NWORKERS 3

static volatile int parked;
static volatile int go;
static volatile long spins[NWORKERS];

__attribute__((noinline)) void worker_wait(int id)
{
    __sync_fetch_and_add(&parked, 1);
    while (!go) spins[id]++;    /* the workers' pc: one line, wherever they are in the loop */
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    char name[16];
    snprintf(name, sizeof name, "worker-%d", id);
    pthread_setname_np(pthread_self(), name);
    worker_wait(id);
    return NULL;
}

__attribute__((noinline)) void all_parked(void)
{
    go = 1;
}

int main(void)
{
    pthread_t t[NWORKERS];
    for (long i = 0; i < NWORKERS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    while (parked < NWORKERS)
        usleep(1000);
    all_parked();
    for (int i = 0; i < NWORKERS; i++)
        pthread_join(t[i], NULL);
    puts("joined");
    return 0;
}
