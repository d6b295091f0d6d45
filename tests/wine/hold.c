/* For testing pufa.exe under wine only: holds a file open as an editor or Word does (others
 * may read it, nobody may replace or delete it) until its standard input closes, so that
 * tests/wine/run can build while a page of the output is open. Prints "holding" once open. */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv) {
    if (argc != 2) {
        return 2;
    }
    HANDLE file = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        printf("cannot open: %lu\n", GetLastError());
        return 1;
    }
    printf("holding\n");
    fflush(stdout);
    char buffer[64];
    DWORD read;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buffer, sizeof buffer, &read, NULL) && read > 0) {
    }
    CloseHandle(file);
    return 0;
}
