/* Shapes of code that make "where does this line start" hard: one-line functions,
   conditions and loops spread over several lines or squeezed onto one, a #line
   directive, varargs (gcc's xmm-saving prologue), and code from an included file. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define WHERE_INLINE_AS_HEADER
#include "where_inline.c"

int one_line(int x) { return x + 1; }
static int one_line_static(int x) { return x * 3; } int after_on_same_line(void) { return 7; }

void empty(void) {}

int multi_cond(int a, int b, int c)
{
    if (a > 0 &&
        b > 0 &&
        c > 0)
        return 1;
    else if (a < 0
             || b < 0)
        return -1;
    return 0;
}

int loop_one_line(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++) s += i;
    while (n > 100) n /= 2;
    return s + n;
}

int sum_varargs(int count, ...)
{
    va_list ap;
    int total = 0;
    va_start(ap, count);
    for (int i = 0; i < count; i++)
        total += va_arg(ap, int);
    va_end(ap);
    return total;
}

int nested_blocks(int n)
{
    int r = 0;
    {
        int a = n * 2;
        {
            int b = a + 1;
            r += b;
        }
        for (int i = 0; i < 3; i++) {
            int c = i * a;
            r += c;
        }
    }
    return r;
}

int generated(int x);

int uses_inline(int v)
{
    bump(v);
    return clamp(v, 0, 50) + twice(v);
}

int big_frame(int n)
{
    char buf[4096];
    memset(buf, n, sizeof buf);
    return buf[n % 4096] + (int)strlen(buf + 4000);
}

int main(int argc, char **argv)
{
    int total = one_line(argc) + one_line_static(argc) + after_on_same_line();
    empty();
    total += multi_cond(argc, 2, 3) + multi_cond(-argc, 1, 1);
    total += loop_one_line(argc * 300);
    total += sum_varargs(3, 1, 2, argc);
    total += nested_blocks(argc);
    total += generated(argc);
    total += uses_inline(argc);
    total += big_frame(argc);
    printf("%d %s\n", total, argv[0]);
    return total == 12345;
}

/* Last in the file: after #line every later line is attributed to where_gen.inp. */
#line 100 "where_gen.inp"
int generated(int x)
{
    int y = x * x;
    return y - 1;
}
