/* Steps into glibc when its separate debug file is installed (libc6-dbg):
   tests/test_debug_file_directory.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *p = malloc(16);                /* MARK:malloc */
    strcpy(p, "hi");
    printf("%s\n", p);
    free(p);
    return 0;
}
