/* A loop that only ends once a signal handler has run a few times (SIGALRM from an
 * interval timer; "nostop noprint pass" by default): `next` over it must let the
 * handler run, as gdb does, instead of single-stepping the loop forever. */
#include <signal.h>
#include <sys/time.h>

static volatile int ticks;

static void on_alarm(int sig)
{
    ticks += sig > 0;
}

int main(void)
{
    struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
    signal(SIGALRM, on_alarm);
    setitimer(ITIMER_REAL, &it, 0);
    while (ticks < 3)
        ;
    ticks = 100;
    return ticks - 100;
}
