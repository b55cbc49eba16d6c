using System.Text;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>What a child process prints, collected from its asynchronous output events; safe to read while it still runs.</summary>
public sealed class OutputLines
{
    private readonly StringBuilder _text = new();

    public void Append(string? line)
    {
        if (line is not null)
        {
            lock (_text)
            {
                _text.AppendLine(line);
            }
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}
