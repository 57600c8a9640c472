//SOURCES PrismaMigrations.java MigrationFile.java Database.java KitException.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Prisma's bookkeeping without running a file, as `prisma migrate resolve` and a baseline write it: --resolve-applied, --resolve-rolled-back, --baseline-prisma. */
record PrismaBookkeeping(Connection c, List<MigrationFile> all, PrismaMigrations.Read read, boolean table) {

    /** --resolve-applied / --resolve-rolled-back NAME, as `prisma migrate resolve` writes them; returns the line to print. */
    String resolve(String applied, String rolledBack, boolean dryRun) throws SQLException {
        String name = applied != null ? applied : rolledBack;
        if (applied != null && rolledBack != null) throw KitException.usage("give either --resolve-applied or --resolve-rolled-back, not both.");
        if (!table) throw KitException.usage("there is no _prisma_migrations table, so there is nothing to resolve.");
        MigrationFile m = all.stream().filter(x -> x.version.equals(name)).findFirst()
                .orElseThrow(() -> KitException.usage("there is no migration called \"" + name + "\" in the Prisma folder."));
        List<PrismaMigrations.Row> rows = read.rows().stream().filter(r -> r.name().equals(name)).toList();
        if (rolledBack != null) {
            if (rows.stream().noneMatch(PrismaMigrations.Row::failed)) {
                throw KitException.usage("migration " + name + " is not recorded as failed, so it cannot be marked rolled back.");
            }
            if (!dryRun) PrismaMigrations.markRolledBack(c, name);
            return (dryRun ? "Would mark " : "Marked ") + name + " as rolled back; the next migrate applies it again.";
        }
        if (rows.stream().anyMatch(PrismaMigrations.Row::applied)) throw KitException.usage("migration " + name + " is already recorded as applied.");
        if (!dryRun) PrismaMigrations.markApplied(c, m);
        return (dryRun ? "Would mark " : "Marked ") + name + " as applied without running it.";
    }

    /** --baseline-prisma NAME: the migrations up to NAME marked applied without running them; returns the line to print. */
    String baseline(String upToName, boolean dryRun) throws SQLException {
        if (table) throw KitException.usage("the database already has a _prisma_migrations table, so there is nothing to baseline; run migrate without --baseline-prisma.");
        if (all.stream().noneMatch(m -> m.version.equals(upToName))) {
            throw KitException.usage("there is no migration called \"" + upToName + "\" in the Prisma folder to baseline up to.");
        }
        List<MigrationFile> upTo = all.stream().filter(m -> m.version.compareTo(upToName) <= 0).toList();
        if (!dryRun) {
            Database.inTransaction(c, st -> {
                st.execute(PrismaMigrations.CREATE_PROTECTED);
                for (MigrationFile m : upTo) PrismaMigrations.markApplied(c, m);
            });
        }
        return (dryRun ? "Would mark " : "Marked ") + upTo.size() + " migration" + (upTo.size() == 1 ? "" : "s") + " up to " + upToName
                + " as applied without running them; the next migrate applies the rest.";
    }
}
