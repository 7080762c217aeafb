/* Inferior calls with other threads: do they run during the call? (gdb 13: yes, unless
   `set scheduler-locking on`). */
#include <pthread.h>
#include <unistd.h>

volatile long ticks;

void *spin(void *arg)
{
    for (;;)
        ticks++;
    return arg;
}

int nap(int ms)
{
    usleep(ms * 1000);
    return ms;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, 0, spin, 0);
    while (ticks < 1000)
        usleep(1000);
    nap(1);                              /* MARK:threads_nap */
    return 0;
}
