using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Projections.Audit;

/// <summary>
/// The canonical encoding and SHA-256 of an audit entry. Every field is length-prefixed, so no two
/// different entries encode alike, and the previous hash is part of the input, so any edit, deletion or
/// reordering of stored entries breaks every hash after it.
/// </summary>
public static class AuditChain
{
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";

    /// <summary>PostgreSQL keeps microseconds; hashing a finer instant would not survive the round trip.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % 10, TimeSpan.Zero);
    }

    public static AuditEntry Link(AuditHead head, AuditDraft draft, DateTimeOffset at)
    {
        var entry = new AuditEntry(
            head.Sequence + 1, Truncate(at), draft.Actor, draft.Operation, draft.SubjectIds,
            draft.Accepted ? Accepted : Rejected, draft.Code, draft.Detail, head.Hash, Hash: "");
        return entry with { Hash = Compute(entry) };
    }

    public static string Compute(AuditEntry e)
    {
        var text = new StringBuilder();
        Field(text, e.Sequence.ToString(CultureInfo.InvariantCulture));
        Field(text, e.At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        Field(text, e.Actor);
        Field(text, e.Operation);
        Field(text, string.Join(',', e.SubjectIds.Select(id => id.ToString("D"))));
        Field(text, e.Outcome);
        Field(text, e.Code ?? "");
        Field(text, e.Detail);
        Field(text, e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Field(StringBuilder text, string value) =>
        text.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append(';');
}
