using System.Text;

namespace MailIngest.Events.Tests;

public sealed class WebhookSignatureTests
{
    // The signing vector of the Standard Webhooks reference libraries (libraries/go/webhook_test.go, TestWebhookSign).
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Payload = """{"test": 2432232314}""";
    private const string Expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void Sign_ReferenceVector_GivesTheReferenceSignature()
    {
        var signature = WebhookSignature.Sign(WebhookSignature.Key(Secret), Id, Timestamp, Encoding.UTF8.GetBytes(Payload));

        Assert.Equal(Expected, signature);
    }

    [Fact]
    public void Key_WithoutPrefixOrWithATrailingNewline_IsTheSameKey()
    {
        Assert.Equal(WebhookSignature.Key(Secret), WebhookSignature.Key(Secret["whsec_".Length..]));
        Assert.Equal(WebhookSignature.Key(Secret), WebhookSignature.Key(Secret + "\n"));
    }

    [Fact]
    public void Sign_AnotherBody_GivesAnotherSignature()
    {
        var signature = WebhookSignature.Sign(WebhookSignature.Key(Secret), Id, Timestamp, Encoding.UTF8.GetBytes(Payload + " "));

        Assert.NotEqual(Expected, signature);
    }

    [Theory]
    [InlineData("whsec_c2hvcnQ=")] // 5 bytes
    [InlineData("whsec_not base64!")]
    public void Key_TooShortOrNotBase64_IsRefused(string secret)
    {
        Assert.Throws<FormatException>(() => WebhookSignature.Key(secret));
    }
}
