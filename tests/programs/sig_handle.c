/* `handle SIGUSR1 ...` on a real signal: the program raises SIGUSR1 three times and
 * counts how often its handler ran (tests/test_signals_handle.py). */
#include <signal.h>
#include <stdio.h>

static volatile int handled;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    for (int i = 0; i < 3; i++)
        raise(SIGUSR1);
    printf("handled=%d\n", handled);
    return 0;
}
