using System.Text;
using Ledger.Api.Http;
using Ledger.Api.Writes;

namespace Ledger.Api.Transfers;

public static class GetTransfer
{
    public static async Task<IResult> Handle(string id, Npgsql.NpgsqlDataSource dataSource, CommandRecords records, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var transferId, out var problem)) return problem!;
        var body = await records.FindTransferAsync(dataSource, transferId, ct);
        return body is null ? Problems.NotFound($"Transfer {transferId}") : Results.Text(body, "application/json", Encoding.UTF8);
    }
}
