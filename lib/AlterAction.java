//SOURCES SqlLexer.java SqlCursor.java
import java.util.List;

/** One action of an ALTER TABLE (the parts between its top-level commas), read by its kind. */
sealed interface AlterAction {
    record RenameTo(SqlCursor.Name to) implements AlterAction {}

    record RenameColumn(String from, String to) implements AlterAction {}

    /** ADD [COLUMN] [IF NOT EXISTS] name type ...: NOT NULL or PRIMARY KEY (required), a DEFAULT, GENERATED or serial type (filled). */
    record AddColumn(String column, boolean ifNotExists, boolean required, boolean filled) implements AlterAction {}

    /** DROP [COLUMN] [IF EXISTS] name. */
    record DropColumn(String column) implements AlterAction {}

    record SetNotNull(String column) implements AlterAction {}

    /** ALTER [COLUMN] c [SET DATA] TYPE type [COLLATE x] [USING expression]; using is null when there is none. */
    record ChangeType(String column, List<SqlLexer.Token> type, List<SqlLexer.Token> using) implements AlterAction {
        /** Whether the USING expression reads the column at all: when not, every value is replaced. */
        boolean readsColumn() {
            return using == null || using.stream().anyMatch(t -> column.equals(t.identifier()));
        }
    }

    record AddCheck(List<SqlLexer.Token> condition, boolean notValid) implements AlterAction {}

    record AddForeignKey(List<String> columns, SqlCursor.Name parent, List<String> parentColumns, boolean matchFull, boolean notValid) implements AlterAction {}

    /** ADD PRIMARY KEY (columns); columns is null for USING INDEX. */
    record AddPrimaryKey(List<String> columns) implements AlterAction {}

    /** ADD UNIQUE [NULLS [NOT] DISTINCT] (columns); columns is null for USING INDEX. */
    record AddUnique(List<String> columns, boolean nullsNotDistinct) implements AlterAction {}

    record AddExclude() implements AlterAction {}

    record ValidateConstraint() implements AlterAction {}

    /** ENABLE or DISABLE ROW LEVEL SECURITY (FORCE and NO FORCE are Other). */
    record RowSecurity(boolean enable) implements AlterAction {}

    record Other() implements AlterAction {}

    static AlterAction read(SqlCursor a) {
        if (a.keywords("rename")) {
            if (a.keywords("to")) {
                SqlCursor.Name to = a.name();
                return to == null ? new Other() : new RenameTo(to);
            }
            if (a.keywords("constraint")) return new Other();
            a.keywords("column");
            String from = a.identifier();
            String to = a.keywords("to") ? a.identifier() : null;
            return to == null ? new Other() : new RenameColumn(from, to);
        }
        if (a.keywords("alter")) {
            a.keywords("column");
            String column = a.identifier();
            if (column == null) return new Other();
            if (a.keywords("set", "not", "null")) return new SetNotNull(column);
            if (!a.keywords("set", "data", "type") && !a.keywords("type")) return new Other();
            int typeEnd = a.findTopLevel("collate", "using");
            List<SqlLexer.Token> type = a.t.subList(a.i, typeEnd);
            a.i = typeEnd;
            int using = a.findTopLevel("using");
            return new ChangeType(column, type, using < a.end ? a.t.subList(using + 1, a.end) : null);
        }
        if (a.keywords("drop")) {
            if (a.peekKeyword("constraint")) return new Other();
            a.keywords("column");
            a.keywords("if", "exists");
            String column = a.identifier();
            return column == null ? new Other() : new DropColumn(column);
        }
        if (a.keywords("validate", "constraint")) return new ValidateConstraint();
        if (a.keywords("enable", "row", "level", "security")) return new RowSecurity(true);
        if (a.keywords("disable", "row", "level", "security")) return new RowSecurity(false);
        if (!a.keywords("add")) return new Other();
        boolean named = a.keywords("constraint") && a.identifier() != null;
        if (a.keywords("check")) {
            int[] condition = a.parens();
            return condition == null ? new Other() : new AddCheck(a.t.subList(condition[0], condition[1]), a.has("not", "valid"));
        }
        if (a.keywords("foreign", "key")) {
            List<String> columns = a.columnList();
            if (columns == null || !a.keywords("references")) return new Other();
            SqlCursor.Name parent = a.name();
            if (parent == null) return new Other();
            List<String> parentColumns = a.peek("(") ? a.columnList() : null;
            boolean full = a.keywords("match", "full");
            return new AddForeignKey(columns, parent, parentColumns, full, a.has("not", "valid"));
        }
        if (a.keywords("primary", "key")) return new AddPrimaryKey(a.columnList());
        if (a.keywords("unique")) {
            boolean nullsNotDistinct = a.keywords("nulls", "not", "distinct");
            a.keywords("nulls", "distinct");
            return new AddUnique(a.columnList(), nullsNotDistinct);
        }
        if (a.keywords("exclude")) return new AddExclude();
        if (named) return new Other();
        a.keywords("column");
        boolean ifNotExists = a.keywords("if", "not", "exists");
        String column = a.identifier();
        if (column == null) return new Other();
        boolean required = a.has("not", "null") || a.has("primary", "key");
        boolean filled = a.has("default") || a.has("generated") || a.hasAny("serial", "bigserial", "smallserial", "serial2", "serial4", "serial8");
        return new AddColumn(column, ifNotExists, required, filled);
    }
}
