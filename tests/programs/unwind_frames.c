/* Frames for the unwinder: deep recursion, a frameless leaf, alloca, a noreturn
 * abort path, a smashed stack and callee-saved registers that hold a caller's variables. */
#include <alloca.h>
#include <stdlib.h>
#include <string.h>

volatile int sink;

__attribute__((noinline)) int leaf(int a, int b)
{
    int t = a * 3 + b;
    sink = t;
    return t ^ (a << 2);
}

__attribute__((noinline)) int recurse(int depth, int acc)
{
    int local = depth * 2 + 1;
    int r;
    if (depth == 0)
        return leaf(acc, local);
    r = recurse(depth - 1, acc + local);
    sink = r;               /* a side effect after the call keeps it a real call */
    return r + local;
}

__attribute__((noinline)) int with_alloca(int n)
{
    char *buf = alloca(n);
    memset(buf, n & 0x7f, n);
    sink = buf[n - 1];
    return leaf(buf[0], n);
}

__attribute__((noinline, noreturn)) void die(int code)
{
    sink = code;
    abort();
}

__attribute__((noinline)) int checker(int x)
{
    if (x > 2)
        die(x);             /* noreturn: the return address may be past checker's end */
    return x;
}

/* noipa: with -fipa-ra gcc would know opaque leaves registers alone and keep
 * inner's values in call-clobbered ones; we want them saved by CFI rules. */
__attribute__((noipa)) long opaque(long v)
{
    sink = (int)v;
    return v * 5 + 1;
}

__attribute__((noipa)) long inner(long a, long b)
{
    long x = a, y = b, z = a ^ b, w = a + b, v = a - b;
    for (int i = 0; i < 3; i++) {
        x = opaque(x);
        y = opaque(y) + x;
        z += y;
        w ^= z;
        v -= w;
    }
    return x + y + z + w + v;
}

__attribute__((noipa)) long outer(long n)
{
    long l = n * 7;
    long r = inner(n, n + 1);
    sink = (int)r;
    return r + l;
}

/* Scribbles over its own saved rbp (a cycle) and return address, then faults:
 * a backtrace must end, quickly, with a few frames. */
__attribute__((noinline)) void smash(void)
{
    volatile long *fp = __builtin_frame_address(0);
    fp[0] = (long)fp;
    fp[1] = 0x1234;
    *(volatile int *)0 = 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "deep";
    int total = 0;
    if (!strcmp(mode, "deep"))
        total = recurse(50, 1);
    else if (!strcmp(mode, "alloca"))
        total = with_alloca(40 + argc);
    else if (!strcmp(mode, "regs"))
        total = (int)outer(argc + 3);
    else if (!strcmp(mode, "abort"))
        total = checker(argc + 1);
    else if (!strcmp(mode, "smash"))
        smash();
    sink = total;
    return 0;
}
