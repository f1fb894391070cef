using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;
using Ledger.Domain.Transfers;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public class TransferInvariantTests
{
    [Fact]
    public void random_transfers_keep_the_books_balanced_and_no_account_overdrawn_unless_allowed()
    {
        var random = new Random(20250314);
        var ids = Enumerable.Range(1, 10).Select(SequentialGuid).ToArray();
        var accounts = OpenTenAccounts(ids);
        var limits = new RiskLimits(
            new Dictionary<string, long> { ["USD"] = 5_000 },
            new Dictionary<string, long> { ["USD"] = 20_000 },
            new HashSet<Guid> { ids[^1] });
        var accepted = 0;

        for (var i = 0; i < 1_000; i++)
        {
            var from = ids[random.Next(ids.Length)];
            var to = ids[(Array.IndexOf(ids, from) + random.Next(1, ids.Length)) % ids.Length];
            var command = new TransferFunds(
                SequentialGuid(10_000 + i), from, to, random.Next(1, 6_000), "USD", null, Now.AddMinutes(37 * i));

            var decision = TransferDecider.Decide(command, accounts[from], accounts[to], limits);

            if (decision is Accepted { Events: var events })
            {
                accepted++;
                foreach (var @event in events)
                {
                    accounts[@event.AccountId] = AccountEvolution.Evolve(accounts[@event.AccountId], @event);
                }
            }
            else
            {
                decision.ShouldBeOfType<Rejected>().Rejection.Code
                    .ShouldBeOneOf(RejectionCode.InsufficientFunds, RejectionCode.LimitExceeded);
            }

            accounts.Values.Sum(account => account.BalanceMinor).ShouldBe(0);
            accounts.Values.Where(account => !account.AllowNegative)
                .ShouldAllBe(account => account.BalanceMinor >= 0);
        }

        // Guard against a vacuous run where every transfer was rejected.
        accepted.ShouldBeGreaterThan(300);
    }

    // One settlement account that may go negative, one overdraft customer, eight ordinary customers.
    private static Dictionary<Guid, AccountState> OpenTenAccounts(Guid[] ids) =>
        ids.Select((id, index) => index switch
            {
                0 => new AccountOpened(id, "USD", "Settlement", AllowNegative: true, IsSettlement: true, Yesterday),
                1 => new AccountOpened(id, "USD", "Overdraft", AllowNegative: true, IsSettlement: false, Yesterday),
                _ => new AccountOpened(id, "USD", $"Customer {index}", AllowNegative: false, IsSettlement: false, Yesterday),
            })
            .ToDictionary(opened => opened.AccountId, opened => AccountEvolution.Evolve(null, opened));

    private static Guid SequentialGuid(int number) => new(number, 0, 0, new byte[8]);
}
