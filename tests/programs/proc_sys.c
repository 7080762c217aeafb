/* Breakpoints on raw fork/vfork/exit_group syscall instructions (HARD-CASES A1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

long raw_fork(void);
long raw_vfork(void);
void raw_exit_group(int code);

static volatile long calls;

__attribute__((noinline)) void shared_code(void)
{
    calls++;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "fork";
    if (!strcmp(mode, "fork")) {
        int ok = 0;
        for (int i = 0; i < 3; i++) {
            long p = raw_fork();
            shared_code();
            if (p == 0)
                _exit(0);
            int st;
            waitpid(p, &st, 0);
            ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
        }
        printf("raw fork ok=%d\n", ok);
        return ok == 3 ? 0 : 1;
    }
    if (!strcmp(mode, "vfork")) {
        long p = raw_vfork();
        if (p == 0)
            _exit(0);
        shared_code();
        int st;
        waitpid(p, &st, 0);
        printf("raw vfork ok=%d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
        return 0;
    }
    if (!strcmp(mode, "exit"))
        raw_exit_group(4);
    return 2;
}
