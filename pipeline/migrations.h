/* migrations.h - the SQL migrations compiled into the binary (generated from sql/NNNN_*.sql by
 * sql/embed.cmake) and the migrator that applies them (pipeline/migrate.c). */
#ifndef DS_PIPELINE_MIGRATIONS_H
#define DS_PIPELINE_MIGRATIONS_H

typedef struct ds_migration {
    int version;      /* the file's number */
    const char *name; /* file name */
    const char *sql;  /* whole file */
} ds_migration;

extern const ds_migration ds_migrations[];
extern const int ds_migrations_count;

#endif
