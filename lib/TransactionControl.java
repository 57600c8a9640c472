//SOURCES MigrationFile.java SqlScript.java SqlCursor.java SqlLexer.java KitException.java

/**
 * Transaction control written in a migration file (BEGIN, COMMIT, END, ROLLBACK, ABORT, PREPARE
 * TRANSACTION, COMMIT/ROLLBACK PREPARED), judged before anything runs: a file whose own control
 * would split it where its engine cannot record the split truthfully is refused with its file and
 * line, exit 2.
 *
 * <p>Flyway runs a migration and records it in one transaction: a COMMIT inside the file makes what
 * came before it permanent without a history row (a later failure leaves it half-applied), a
 * ROLLBACK undoes it while Flyway records success, and BEGIN ... COMMIT only splits the migration
 * from its row; so no transaction control at all. On the Prisma path a file that opens its own
 * transactions runs as written, as Prisma runs it, and each BEGIN must be closed by one COMMIT (or
 * END) before the next BEGIN and before the file ends; a COMMIT with no BEGIN would commit the
 * kit's one transaction half-way, and a ROLLBACK would undo what the history then records as applied.
 * SAVEPOINT, RELEASE and ROLLBACK TO stay inside their transaction and are fine.
 *
 * <p>COMMIT or ROLLBACK inside a DO block or a procedure the file calls are left to PostgreSQL:
 * inside a transaction (Flyway's, or the one the kit gives a Prisma file) the server refuses them
 * ("invalid transaction termination"), so the migration fails whole and is rolled back; in a file
 * that runs as written they act as under `prisma migrate deploy`, and a failure is recorded as
 * failed, as Prisma records it. Neither is a split the engine misreports.
 */
final class TransactionControl {

    private enum Kind { OPENS, ENDS, UNDOES, TWO_PHASE, CHAINS, NONE }

    /** Refuses the file when its transaction control cannot be recorded truthfully; `ownTransactions`: the engine runs files with their own BEGIN ... COMMIT as written (Prisma). */
    static void check(MigrationFile file, boolean ownTransactions) {
        SqlScript.Statement open = null;
        for (SqlScript.Statement s : file.statements()) {
            Kind kind = kind(s);
            if (kind == Kind.NONE) continue;
            String at = file.name + " line " + s.line() + ": " + s.shown() + " ";
            if (kind == Kind.TWO_PHASE || kind == Kind.CHAINS) {
                throw refused(at + (kind == Kind.TWO_PHASE ? "is two-phase commit" : "chains a new transaction to the one it ends") + ", which a migration cannot record; remove it.");
            }
            if (kind == Kind.UNDOES) {
                throw refused(at + "undoes what came before it in its transaction, yet the migration would be recorded as applied; remove it"
                        + (ownTransactions ? " (a failing statement already rolls the migration back)." : " (Flyway rolls a failing migration back by itself)."));
            }
            if (!ownTransactions) {
                throw refused(at + (kind == Kind.OPENS ? "opens a transaction inside the one Flyway runs the migration in (and with its COMMIT would split the migration from its history row)"
                        : "ends the transaction Flyway runs the migration in, so what came before it would stay applied without a history row if a later statement failed")
                        + "; remove the file's BEGIN and COMMIT (Flyway gives each migration a transaction of its own), or put what follows a COMMIT in a migration of its own.");
            }
            if (kind == Kind.OPENS && open != null) {
                throw refused(at + "opens a transaction while the one opened at line " + open.line() + " is still open; end that one with COMMIT first.");
            }
            if (kind == Kind.ENDS && open == null) {
                throw refused(at + "ends a transaction the file never opened: it would commit part of the migration half-way, and a later failure would leave that part"
                        + " applied; remove it, or open the transaction with BEGIN where it should start.");
            }
            open = kind == Kind.OPENS ? s : null;
        }
        if (open != null) {
            throw refused(file.name + " line " + open.line() + ": " + open.shown() + " opens a transaction that the file never ends; add COMMIT where it should end.");
        }
    }

    private static KitException refused(String sentence) {
        return KitException.usage(sentence.substring(0, sentence.length() - 1) + ". Nothing was applied.");
    }

    private static Kind kind(SqlScript.Statement s) {
        SqlCursor c = new SqlCursor(s.tokens());
        if (MigrationFile.opensTransaction(s)) return Kind.OPENS;
        if (c.keywords("prepare", "transaction")) return Kind.TWO_PHASE;
        String verb = c.anyKeyword("commit", "end", "rollback", "abort");
        if (verb == null) return Kind.NONE;
        if (c.keywords("prepared")) return Kind.TWO_PHASE;
        if (verb.equals("rollback") && c.keywords("to")) return Kind.NONE; // ROLLBACK TO [SAVEPOINT] x: inside its transaction
        c.anyKeyword("work", "transaction");
        if (c.keywords("and", "chain")) return Kind.CHAINS;
        c.keywords("and", "no", "chain");
        if (!c.atEnd()) return Kind.NONE; // not transaction control (END is also a word of other statements)
        return verb.equals("commit") || verb.equals("end") ? Kind.ENDS : Kind.UNDOES;
    }

    private TransactionControl() {}
}
