using Agent.Runtime.Chat;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Web.Tests;

public sealed class PersonWaitClockTests
{
    [Fact]
    public void Overlapping_waits_count_once_and_the_wait_under_way_counts_so_far()
    {
        var time = new FakeTimeProvider();
        var clock = new PersonWaitClock(time);
        time.Advance(TimeSpan.FromSeconds(5)); // not waiting: not counted

        var first = clock.Begin();
        time.Advance(TimeSpan.FromSeconds(10));
        var second = clock.Begin();
        time.Advance(TimeSpan.FromSeconds(20));
        first.Dispose();
        Assert.Equal(TimeSpan.FromSeconds(30), clock.Elapsed);
        time.Advance(TimeSpan.FromSeconds(1));
        second.Dispose();
        second.Dispose(); // a second dispose ends nothing more
        Assert.Equal(TimeSpan.FromSeconds(31), clock.Elapsed);

        time.Advance(TimeSpan.FromMinutes(1));
        using (clock.Begin())
        {
            time.Advance(TimeSpan.FromSeconds(4));
        }

        Assert.Equal(TimeSpan.FromSeconds(35), clock.Elapsed);
    }
}
