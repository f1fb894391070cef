using Ledger.Api.Http;
using Ledger.Api.Writes;

namespace Ledger.Api.Transfers;

public static class GetTransfer
{
    public static async Task<IResult> Handle(string id, Npgsql.NpgsqlDataSource dataSource, CommandRecords records, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var transferId, out var problem)) return problem!;
        return await records.FindTransferAsync(dataSource, transferId, ct) is { } transfer
            ? TypedResults.Json(TransferResponse.From(transfer), LedgerJson.Default.TransferResponse)
            : Problems.NotFound($"Transfer {transferId}");
    }
}
