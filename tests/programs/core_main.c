#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int counter;
volatile long calls;
volatile int handled;

void both_target(void);
void tail_jump(void);
void two_nops(void);
long raw_getpid(void);

int hit_me(int i)
{
    calls++;
    return i * 2;
}

static void on_usr1(int sig)
{
    handled += sig;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "calls";
    if (strcmp(mode, "calls") == 0) {
        long sum = 0;
        for (int i = 0; i < 1000; i++)
            sum += hit_me(i);
        printf("calls=%ld sum=%ld\n", calls, sum);
        return 0;
    }
    if (strcmp(mode, "asm") == 0) {
        for (int i = 0; i < 3; i++) {
            both_target();
            tail_jump();
            two_nops();
        }
        long pid = raw_getpid();
        printf("counter=%d pid_ok=%d\n", counter, pid == getpid());
        return counter == 6 && pid == getpid() ? 0 : 1;
    }
    if (strcmp(mode, "signal") == 0) {
        signal(SIGUSR1, on_usr1);
        raise(SIGUSR1);
        raise(SIGUSR1);
        printf("handled=%d\n", handled);
        return handled == 2 * SIGUSR1 ? 0 : 1;
    }
    if (strcmp(mode, "spin") == 0) {
        volatile unsigned long n = 0;
        for (;;)
            n++;
    }
    if (strcmp(mode, "sleep") == 0) {
        sleep(30);
        return 0;
    }
    if (strcmp(mode, "exit") == 0)
        return atoi(argv[2]);
    if (strcmp(mode, "segv") == 0) {
        volatile int *p = 0;
        return *p;
    }
    return 2;
}
