//SOURCES SqlStatement.java AlterAction.java SqlCursor.java
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the pending migrations do to tables, followed statement by statement in the order a run
 * applies them: the tables it creates (whatever a later rename calls them), the names before the
 * run of those it renames, the columns it adds, the types and such it creates. The lint and the
 * data checks both ask it, each after judging a statement with what came before:
 * {@link #follow(SqlStatement)}, or {@link #follow(SqlCursor.Name, AlterAction)} action by action.
 * Names are the catalog's (unquoted), without their schema, as both look them up in the current one.
 */
final class RunTables {
    /** A relation's name now -> its name before the run; null: created by this run. Names not here are as before the run. */
    private final Map<String, String> origin = new HashMap<>();
    /** Columns this run adds, by the relation's name now: column -> whether a default (or the like) fills it. */
    private final Map<String, Map<String, Boolean>> added = new HashMap<>();
    /** Types, domains, extensions and collations this run creates ("kind name"). */
    private final Set<String> objects = new HashSet<>();
    /** Whether a statement so far gave a column of a table that existed before the run another type. */
    private boolean convertedOldColumn;

    RunTables(Set<String> createdByRun) {
        for (String t : createdByRun) origin.put(t, null);
    }

    /** The relation's name before the run, or null when this run created it. */
    String before(String name) {
        return origin.containsKey(name) ? origin.get(name) : name;
    }

    boolean createdByRun(String name) {
        return before(name) == null;
    }

    /** Whether this run renamed the relation that has this name now. */
    boolean renamed(String name) {
        return origin.containsKey(name) && origin.get(name) != null;
    }

    boolean addedByRun(String table, String column) {
        return added.getOrDefault(table, Map.of()).containsKey(column);
    }

    /** A column this run adds with nothing to fill it: null in every row. */
    boolean nullInEveryRow(String table, String column) {
        return Boolean.FALSE.equals(added.getOrDefault(table, Map.of()).get(column));
    }

    /**
     * Whether everything in the named type (domain, extension, collation) is this run's: the run
     * created it, and gave no column that existed before the run another type, so any column a
     * DROP ... CASCADE of it removes is one this run added.
     */
    boolean ownsEverythingOf(String kind, String name) {
        return objects.contains(kind + " " + name) && !convertedOldColumn;
    }

    void follow(SqlStatement s) {
        if (s instanceof SqlStatement.CreateTable t && !t.ifNotExists()) { // IF NOT EXISTS may keep a table from before the run
            origin.put(t.table().name(), null);
            added.remove(t.table().name());
        } else if (s instanceof SqlStatement.CreateObject o && !o.ifNotExists()) {
            objects.add(o.kind() + " " + o.name().name());
        } else if (s instanceof SqlStatement.Drop d && d.kind().equals("table")) {
            for (SqlCursor.Name n : d.names()) {
                origin.remove(n.name());
                added.remove(n.name());
            }
        } else if (s instanceof SqlStatement.AlterTable a) {
            for (AlterAction action : a.actions()) follow(a.table(), action);
        }
    }

    void follow(SqlCursor.Name table, AlterAction action) {
        String name = table.name();
        Map<String, Boolean> columns = added.get(name);
        if (action instanceof AlterAction.RenameTo r) {
            String was = before(name);
            origin.remove(name);
            origin.put(r.to().name(), was);
            added.remove(name);
            if (columns != null) added.put(r.to().name(), columns);
        } else if (action instanceof AlterAction.AddColumn c && !c.ifNotExists()) { // IF NOT EXISTS may keep a column from before the run
            added.computeIfAbsent(name, k -> new HashMap<>()).put(c.column(), c.filled());
        } else if (action instanceof AlterAction.RenameColumn r && columns != null && columns.containsKey(r.from())) {
            columns.put(r.to(), columns.remove(r.from()));
        } else if (action instanceof AlterAction.DropColumn d && columns != null) {
            columns.remove(d.column());
        } else if (action instanceof AlterAction.ChangeType c) {
            convertedOldColumn |= !createdByRun(name) && !addedByRun(name, c.column());
        }
    }
}
