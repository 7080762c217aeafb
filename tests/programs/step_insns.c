/* Single-stepping instructions whose next pc is not simply the next instruction:
   rep string instructions (one iteration per step), loops, calls and returns. */
#include <string.h>

static char buf[64];

static int add(int a, int b) { return a + b; }

int main(void)
{
    char *dst = buf;
    unsigned long n = 5;
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0x41) : "memory");
    int s = 0;
    for (int i = 0; i < 3; i++)
        s = add(s, i);
    return s == 3 ? buf[4] - 0x41 : 1;
}
