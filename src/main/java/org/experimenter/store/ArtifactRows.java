package org.experimenter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.experimenter.artifacts.ArtifactFile;

/** The rows of {@code <table>__artifacts}: the files each attempt left in its artifact folder. */
public final class ArtifactRows implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final Database db;

    ArtifactRows(Database db) {
        this.db = db;
    }

    /** Replaces the listing of one attempt at a row with these files. */
    public void record(long id, int attempt, List<ArtifactFile> files) {
        String t = db.schema.artifactsTable();
        db.withConnection(
                "cannot record the artifacts of experiment " + id + " of " + db.table,
                c -> Jdbc.inTransaction(c, conn -> {
                    Jdbc.update(conn, "DELETE FROM " + t + " WHERE id = ? AND attempt = ?", ps -> {
                        ps.setLong(1, id);
                        ps.setInt(2, attempt);
                    });
                    try (PreparedStatement ps = conn.prepareStatement(
                            "INSERT INTO " + t + " (id, attempt, path, bytes, sha256) VALUES (?, ?, ?, ?, ?)")) {
                        Jdbc.inBatches(ps, files, 500, (p, f) -> {
                            p.setLong(1, id);
                            p.setInt(2, attempt);
                            p.setString(3, f.path());
                            p.setLong(4, f.bytes());
                            p.setString(5, f.sha256());
                        });
                    }
                    return null;
                }));
    }

    /** The files of a row, by attempt and path: maps of attempt, path, bytes, sha256. */
    public List<Map<String, Object>> of(long id) {
        return db.withConnection(
                "cannot read the artifacts of experiment " + id + " of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT attempt, path, bytes, sha256 FROM " + db.schema.artifactsTable()
                                + " WHERE id = ? ORDER BY attempt, path",
                        ps -> ps.setLong(1, id),
                        rs -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("attempt", rs.getInt(1));
                            m.put("path", rs.getString(2));
                            m.put("bytes", rs.getLong(3));
                            m.put("sha256", rs.getString(4));
                            return m;
                        }));
    }

    /**
     * Deletes the listings of the rows matching a condition over the experiment table (bound by
     * binder) inside the caller's transaction; returns the ids that had any.
     */
    static List<Long> deleteWhere(Database db, Connection conn, String condition, Jdbc.Binder binder)
            throws SQLException {
        String t = db.schema.artifactsTable();
        String rows = " WHERE id IN (SELECT id FROM " + db.table + " WHERE " + condition + ")";
        List<Long> ids =
                new ArrayList<>(Jdbc.query(conn, "SELECT DISTINCT id FROM " + t + rows, binder, rs -> rs.getLong(1)));
        Jdbc.update(conn, "DELETE FROM " + t + rows, binder);
        return ids;
    }
}
