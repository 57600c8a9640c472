import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Two snapshots compared (what the migrations build on the shadow, and the database), one sentence
 * per difference that says what exists where: a column's changed default, an index or a grant added
 * by hand, an owner changed, a privilege revoked. A fact whose object is itself missing on one side
 * is said with that object ("table ... is in the database but no migration creates it"), once.
 */
final class SchemaComparison {
    /** Kinds whose definition is a fixed list of parts: only the parts that differ are said. */
    private static final Set<String> BY_PART = Set.of("table", "column", "sequence", "function");

    static List<String> compare(SchemaSnapshot migrations, SchemaSnapshot database) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, SchemaSnapshot.Fact> e : database.facts.entrySet()) {
            SchemaSnapshot.Fact mine = migrations.facts.get(e.getKey());
            SchemaSnapshot.Fact theirs = e.getValue();
            if (mine == null) {
                if (saidWithItsObject(theirs, migrations)) continue;
                lines.add(theirs.kind().equals("privileges")
                        ? theirs.shown() + ": none in the migrations, " + theirs.definition() + " in the database: granted by hand?"
                        : theirs.shown() + " is in the database but no migration creates it: added by hand?");
            } else if (!mine.definition().equals(theirs.definition())) {
                lines.add(theirs.shown() + ": " + difference(mine, theirs));
            }
        }
        for (Map.Entry<String, SchemaSnapshot.Fact> e : migrations.facts.entrySet()) {
            if (database.facts.containsKey(e.getKey())) continue;
            SchemaSnapshot.Fact mine = e.getValue();
            if (saidWithItsObject(mine, database)) continue;
            lines.add(mine.kind().equals("privileges")
                    ? mine.shown() + ": " + mine.definition() + " in the migrations, none in the database: revoked by hand?"
                    : mine.shown() + " is in the migrations but not in the database: dropped by hand?");
        }
        return lines;
    }

    /** The fact belongs to an object the other side does not have: that object's own line says it. */
    private static boolean saidWithItsObject(SchemaSnapshot.Fact fact, SchemaSnapshot other) {
        return fact.parent() != null && !other.facts.containsKey(fact.parent());
    }

    /** Only the parts of two definitions that differ (a column's default, say), or the whole of each. */
    private static String difference(SchemaSnapshot.Fact mine, SchemaSnapshot.Fact theirs) {
        List<String> a = mine.parts(), b = theirs.parts();
        if (a.size() == b.size() && BY_PART.contains(mine.kind())) {
            List<String> ours = new ArrayList<>(), db = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).equals(b.get(i))) {
                    ours.add(a.get(i));
                    db.add(b.get(i));
                }
            }
            return String.join(", ", ours) + " in the migrations, " + String.join(", ", db) + " in the database";
        }
        return mine.definition() + " in the migrations; " + theirs.definition() + " in the database";
    }

    private SchemaComparison() {}
}
