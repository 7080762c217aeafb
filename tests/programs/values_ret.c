/* Return values in every SysV x86-64 class, for `finish` (HARD-CASES G3): rax,
 * rdx:rax, xmm0, xmm0+xmm1, rax+xmm0, st0, and memory (rax holds the address). */
#include <stdbool.h>

struct two_ints { int a, b; };
struct two_doubles { double x, y; };
struct mixed { long n; double d; };
struct three_floats { float a, b, c; };
struct small_chars { char c[3]; };
struct int_float { int i; float f; };
struct big { long a, b, c; };
struct with_ld { long double ld; };
enum level { LOW, HIGH = 7 };

__attribute__((noinline)) int ret_int(int x) { return -x * 3; }
__attribute__((noinline)) long ret_long(long x) { return x << 40; }
__attribute__((noinline)) char ret_char(void) { return 'Q'; }
__attribute__((noinline)) bool ret_bool(int x) { return x > 0; }
__attribute__((noinline)) double ret_double(double x) { return x / 3; }
__attribute__((noinline)) float ret_float(float x) { return x * 2.5f; }
__attribute__((noinline)) long double ret_ldouble(int x) { return x / 7.0L; }
__attribute__((noinline)) const char *ret_str(void) { return "returned"; }
__attribute__((noinline)) enum level ret_enum(void) { return HIGH; }
__attribute__((noinline)) __int128 ret_i128(void) { return ((__int128)3 << 64) | 5; }
__attribute__((noinline)) struct two_ints ret_two_ints(int a) { struct two_ints r = { a, -a }; return r; }
__attribute__((noinline)) struct two_doubles ret_two_doubles(void) { struct two_doubles r = { 1.25, -0.5 }; return r; }
__attribute__((noinline)) struct mixed ret_mixed(void) { struct mixed r = { 42, 3.5 }; return r; }
__attribute__((noinline)) struct three_floats ret_three_floats(void) { struct three_floats r = { 1, 2, 3.5f }; return r; }
__attribute__((noinline)) struct small_chars ret_small_chars(void) { struct small_chars r = { { 'a', 'b', 'c' } }; return r; }
__attribute__((noinline)) struct int_float ret_int_float(void) { struct int_float r = { 9, 0.25f }; return r; }
__attribute__((noinline)) struct big ret_big(void) { struct big r = { 1, 2, 3 }; return r; }
__attribute__((noinline)) struct with_ld ret_with_ld(void) { struct with_ld r = { 2.5L }; return r; }
__attribute__((noinline)) _Complex double ret_complex(void) { return 1.5 + 2.0 * __builtin_complex(0.0, 1.0); }

int main(void)
{
    long sink = ret_int(4) + ret_long(3) + ret_char() + ret_bool(1) + (long)ret_double(1)
        + (long)ret_float(2) + (long)ret_ldouble(3) + ret_str()[0] + ret_enum()
        + (long)ret_i128() + ret_two_ints(6).b + (long)ret_two_doubles().x + ret_mixed().n
        + (long)ret_three_floats().c + ret_small_chars().c[1] + ret_int_float().i
        + ret_big().c + (long)ret_with_ld().ld + (long)__real__ ret_complex();
    return (int)(sink & 1);
}
