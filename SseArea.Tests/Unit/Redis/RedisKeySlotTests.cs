using SseArea.Internal.Redis;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Unit;

/// <summary>
/// Where a channel's Redis keys live on a cluster: computed as Redis Cluster computes slots
/// (<see cref="RedisHashSlot"/>), without a cluster.
/// </summary>
public sealed class RedisKeySlotTests
{
    [Test]
    public void HashSlot_GivesTheSlotsRedisGives()
    {
        // CLUSTER KEYSLOT of redis-server 7.0, and the specification's CRC16 check value (0x31C3).
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RedisHashSlot.Crc16("123456789"u8), Is.EqualTo(0x31C3));
            foreach (var (key, slot) in new[]
            {
                ("foo", 12182), ("bar", 5061), ("hello", 866), ("user1000", 3443), ("{user1000}.following", 3443),
                ("ünï{cödé}", 15029), ("cödé", 15029), ("a}b", 7866), ("{}x", 10595), ("{a{b}c", 13340), ("room{7}.chat", 1716), ("7", 1716),
            })
            {
                Assert.That(RedisHashSlot.Of(key), Is.EqualTo(slot), key);
            }
        }
    }

    [TestCase("plain.channel")]
    [TestCase("room{7}.chat")]
    [TestCase("{7}")]
    [TestCase("{}x")]
    [TestCase("a}b")]
    [TestCase("}x")]
    [TestCase("x{")]
    [TestCase("{a{b}c")]
    [TestCase("a{}b{c}")]
    [TestCase("{x}}")]
    [TestCase("ünï{cödé}")]
    [TestCase("*")]
    [TestCase("[a]?")]
    public void KeysOfAChannel_ShareOneSlot_TheChannelsOwnWhenItsNameAllows(string channel)
    {
        var history = RedisHashSlot.Of((string)RedisKeys.History(channel)!);
        var subscribers = RedisHashSlot.Of((string)RedisKeys.Subscribers(channel)!);
        var own = RedisHashSlot.Of(channel);
        // Whole names hashed (no tag, or an empty first one) that hold a '}'.
        var closingBraceHashed = channel is "{}x" or "a}b" or "}x" or "a{}b{c}";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(subscribers, Is.EqualTo(history), "one slot for all of the channel's keys");
            Assert.That(RedisKeys.SharesSlotWithChannel(channel), Is.EqualTo(!closingBraceHashed));
            if (!closingBraceHashed)
            {
                Assert.That(history, Is.EqualTo(own), "the channel's own slot, so the history script may SPUBLISH it");
            }
        }
    }

    [Test]
    public void KeysOfChannelsSharingAHashTag_AreStillTheirOwn()
    {
        string[] channels = ["room{7}.chat", "lobby{7}.chat", "{7}", "7", "{7}}", "{7}x}"];

        Assert.That(channels.Select(c => (string)RedisKeys.History(c)!), Is.Unique);
    }
}
