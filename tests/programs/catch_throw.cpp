// catch throw: a C++ program that throws twice and catches both.
#include <cstdio>
#include <stdexcept>

__attribute__((noinline)) int risky(int n)
{
    if (n > 0)
        throw std::runtime_error("boom");
    return n;
}

int main()
{
    int caught = 0;
    for (int i = 1; i <= 2; i++) {
        try {
            risky(i);
        } catch (const std::exception &) {
            caught++;
        }
    }
    std::printf("caught=%d\n", caught);
    return caught == 2 ? 0 : 1;
}
