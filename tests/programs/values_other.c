/* Second translation unit for values_basic.c: a file static with the same name
 * as one there (HARD-CASES F9), so a global lookup must prefer the CU of the pc. */
static int file_static = 1007;
static const char *file_name = "values_other.c";

int other_file_static(void)
{
    int here = file_static + 1;
    return here + (file_name[0] == 'v');                /* BREAK:other */
}
