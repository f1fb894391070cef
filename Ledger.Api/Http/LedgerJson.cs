using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Api.Accounts;
using Ledger.Api.Transfers;

namespace Ledger.Api.Http;

/// <summary>
/// The wire contract's JSON: camelCase, case-sensitive, unknown and duplicate members rejected. Source
/// generated, so the hot path does no reflection.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    PropertyNameCaseInsensitive = false,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(OpenAccountRequest))]
[JsonSerializable(typeof(TransferRequest))]
[JsonSerializable(typeof(MovementRequest))]
[JsonSerializable(typeof(AccountResponse))]
[JsonSerializable(typeof(TransferResponse))]
[JsonSerializable(typeof(TransferBatchRequest))]
[JsonSerializable(typeof(PostHoldRequest))]
[JsonSerializable(typeof(VoidHoldRequest))]
[JsonSerializable(typeof(Ledger.Api.Admin.ReconciliationRequest))]
[JsonSerializable(typeof(BatchResponse))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
public sealed partial class LedgerJson : JsonSerializerContext;
