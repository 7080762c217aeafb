/* `finish` return values by SysV x86-64 class (HARD-CASES G3): rax (char, short,
 * long), xmm0 (float, double), st0 (long double), rax:rdx (small struct),
 * xmm0:xmm1 (two doubles) and memory (big struct). */
struct pair { int a; long b; };
struct dpair { double x, y; };
struct big { long v[5]; };

__attribute__((noinline)) char r_char(int x) { return (char)('A' + x); }
__attribute__((noinline)) short r_short(int x) { return (short)(-300 * x); }
__attribute__((noinline)) long r_long(long x) { return x * 1000000007L; }
__attribute__((noinline)) float r_float(float x) { return x / 4.0f; }
__attribute__((noinline)) double r_double(double x) { return x * 1.5; }
__attribute__((noinline)) long double r_ldouble(int x) { return x / 3.0L; }
__attribute__((noinline)) unsigned char r_uchar(int x) { return (unsigned char)(200 + x); }
__attribute__((noinline)) struct pair r_pair(int x)
{
    struct pair p = { x, -5L * x };
    return p;
}
__attribute__((noinline)) struct dpair r_dpair(double x)
{
    struct dpair d = { x, -x / 2 };
    return d;
}
__attribute__((noinline)) struct big r_big(long x)
{
    struct big b = { { x, x + 1, x + 2, x + 3, x + 4 } };
    return b;
}

int main(void)
{
    long sum = r_char(2) + r_short(3) + r_long(4) + (long)r_float(5.0f) + (long)r_double(6.0)
        + (long)r_ldouble(7) + r_uchar(8);
    sum += r_pair(9).b + (long)r_dpair(10.0).y + r_big(11).v[4];
    return (int)(sum & 1);
}
