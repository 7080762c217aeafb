/* A breakpoint inside a signal handler: the unwinder must cross the sigreturn
 * trampoline into the interrupted code (raise() in libc, or a busy loop here). */
#include <signal.h>
#include <string.h>
#include <sys/time.h>

volatile sig_atomic_t hits;
volatile long spins;

__attribute__((noinline)) void in_handler(int sig)
{
    int doubled = sig * 2;
    hits += doubled;
}

static void handler(int sig)
{
    int seen = hits;
    in_handler(sig + seen * 0);
}

__attribute__((noinline)) void spin(void)
{
    while (!hits)
        spins++;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGUSR1, &sa, 0);
    sigaction(SIGALRM, &sa, 0);
    if (argc > 1 && !strcmp(argv[1], "timer")) {
        struct itimerval it = { { 0, 0 }, { 0, 2000 } };
        setitimer(ITIMER_REAL, &it, 0);
        spin();
    } else {
        raise(SIGUSR1);
    }
    return hits == 0;
}
