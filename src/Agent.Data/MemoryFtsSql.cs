namespace Agent.Data;

/// <summary>
/// The hand-written SQL of the Memory migration: the FTS5 table memory_fts (EF cannot model virtual tables) and the
/// triggers that keep it in step with memory_items (rowid = memory_items.rowid) and with the text of user and
/// assistant messages (rowid = -messages.rowid), then a backfill of what exists. Porter stemming, so "cats" finds "cat".
/// The kind column (the item's tier, or Message) lets recall filter without a join; rank is BM25 with titles weighing twice.
/// The app never runs VACUUM (which may renumber those implicit rowids); after one, <see cref="Rebuild"/> re-indexes.
/// </summary>
public static class MemoryFtsSql
{
    private const string MessageText = "(SELECT group_concat(json_extract(p.value, '$.text'), '') FROM json_each(new.Parts) p WHERE json_extract(p.value, '$.type') = 'text')";

    public const string Rebuild = """
        DELETE FROM memory_fts;
        INSERT INTO memory_fts(rowid, title, body, tenant_id, kind) SELECT rowid, Title, Content, TenantId, Tier FROM memory_items;
        INSERT INTO memory_fts(rowid, title, body, tenant_id, kind)
          SELECT -m.rowid, '', t.text, m.TenantId, 'Message' FROM messages m
          JOIN (SELECT x.Id, group_concat(json_extract(p.value, '$.text'), '') AS text FROM messages x, json_each(x.Parts) p
                WHERE json_extract(p.value, '$.type') = 'text' GROUP BY x.Id) t ON t.Id = m.Id
          WHERE m.Role IN ('User', 'Assistant') AND t.text <> '';
        """;

    public static string Create { get; } = $"""
        CREATE VIRTUAL TABLE memory_fts USING fts5(title, body, tenant_id UNINDEXED, kind UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2');
        INSERT INTO memory_fts(memory_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)');
        CREATE VIRTUAL TABLE memory_fts_vocab USING fts5vocab(memory_fts, row);

        CREATE TRIGGER memory_items_fts_insert AFTER INSERT ON memory_items BEGIN
          INSERT INTO memory_fts(rowid, title, body, tenant_id, kind) VALUES (new.rowid, new.Title, new.Content, new.TenantId, new.Tier);
        END;
        CREATE TRIGGER memory_items_fts_update AFTER UPDATE OF Title, Content, TenantId, Tier ON memory_items BEGIN
          DELETE FROM memory_fts WHERE rowid = old.rowid;
          INSERT INTO memory_fts(rowid, title, body, tenant_id, kind) VALUES (new.rowid, new.Title, new.Content, new.TenantId, new.Tier);
        END;
        CREATE TRIGGER memory_items_fts_delete AFTER DELETE ON memory_items BEGIN
          DELETE FROM memory_fts WHERE rowid = old.rowid;
        END;

        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.Role IN ('User', 'Assistant') BEGIN
          INSERT INTO memory_fts(rowid, title, body, tenant_id, kind)
            SELECT -new.rowid, '', t, new.TenantId, 'Message' FROM (SELECT {MessageText} AS t) WHERE t IS NOT NULL AND t <> '';
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF Parts ON messages WHEN new.Role IN ('User', 'Assistant') AND old.Parts IS NOT new.Parts BEGIN
          DELETE FROM memory_fts WHERE rowid = -old.rowid;
          INSERT INTO memory_fts(rowid, title, body, tenant_id, kind)
            SELECT -new.rowid, '', t, new.TenantId, 'Message' FROM (SELECT {MessageText} AS t) WHERE t IS NOT NULL AND t <> '';
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
          DELETE FROM memory_fts WHERE rowid = -old.rowid;
        END;

        {Rebuild}
        """;

    public const string Drop = """
        DROP TRIGGER IF EXISTS memory_items_fts_insert;
        DROP TRIGGER IF EXISTS memory_items_fts_update;
        DROP TRIGGER IF EXISTS memory_items_fts_delete;
        DROP TRIGGER IF EXISTS messages_fts_insert;
        DROP TRIGGER IF EXISTS messages_fts_update;
        DROP TRIGGER IF EXISTS messages_fts_delete;
        DROP TABLE IF EXISTS memory_fts_vocab;
        DROP TABLE IF EXISTS memory_fts;
        """;
}
