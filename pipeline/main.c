/* main.c - the dossier executable: hands argv to the CLI (pipeline/cli.c). */
#include "pipeline/cli.h"

int main(int argc, char **argv)
{
    return ds_cli_main(argc, argv);
}
