using Ledger.Api.Http;
using Ledger.Api.Writes;
using Ledger.Projections.Holds;

namespace Ledger.Api.Transfers;

public static class GetTransfer
{
    /// <summary>A two-phase transfer as its hold stands now; a one-phase one as its write recorded it.</summary>
    public static async Task<IResult> Handle(string id, Npgsql.NpgsqlDataSource dataSource, HoldTable holds, CommandRecords records, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var transferId, out var problem)) return problem!;
        var transfer = await holds.FindAsync(dataSource, transferId, ct) is { } hold
            ? TransferResult.OfHold(hold.State, hold.Metadata, hold.LastAt)
            : await records.FindTransferAsync(dataSource, transferId, ct);
        return transfer is null
            ? Problems.NotFound($"Transfer {transferId}")
            : TypedResults.Json(TransferResponse.From(transfer), LedgerJson.Default.TransferResponse);
    }
}
