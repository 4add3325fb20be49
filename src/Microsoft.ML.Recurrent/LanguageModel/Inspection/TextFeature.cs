namespace Microsoft.ML.Recurrent;

/// <summary>
/// A simple property of a text, one value per character (the state after reading it), that a cell of a language
/// model may have learned to track: whether it is inside a string literal or a comment, the nesting depth of
/// parentheses, brackets or braces, the position in the line, the indentation. <see cref="CellSearch"/> ranks
/// cells by how well their activations follow one.
/// </summary>
public sealed class TextFeature
{
    /// <summary>A feature with one value per character.</summary>
    /// <param name="name">A short name ("brace depth").</param>
    /// <param name="values">One value per character read.</param>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public TextFeature(string name, double[] values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(values);
        Name = name;
        Values = values;
    }

    /// <summary>The feature's name.</summary>
    public string Name { get; }

    /// <summary>Its value after each character.</summary>
    public double[] Values { get; }

    /// <summary>
    /// The standard features of source code and prose for the characters of a text (as
    /// <see cref="LanguageModelActivations.Characters"/> holds them): inside a "string" (backslash escapes; a
    /// 'c' character literal is not a quote), inside a // comment, parenthesis, bracket and brace depth (outside
    /// strings and comments), position in the line, and indentation (the current line's leading spaces).
    /// </summary>
    public static IReadOnlyList<TextFeature> Standard(IReadOnlyList<string> characters)
    {
        ArgumentNullException.ThrowIfNull(characters);
        int n = characters.Count;
        double[] inString = new double[n], inComment = new double[n], parens = new double[n], brackets = new double[n],
            braces = new double[n], column = new double[n], indentation = new double[n];
        bool stringOpen = false, commentOpen = false, escaped = false, leading = true;
        int skip = 0, parenDepth = 0, bracketDepth = 0, braceDepth = 0, col = 0, indent = 0;
        for (int t = 0; t < n; t++)
        {
            string c = characters[t];
            if (c == "\n")
            {
                commentOpen = false;
                col = 0;
                indent = 0;
                leading = true;
            }
            else
            {
                col++;
                if (leading && c == " ") indent++;
                else leading = false;
            }

            bool wasInString = stringOpen;
            if (skip > 0) skip--; // the rest of a character literal
            else if (stringOpen)
            {
                if (escaped) escaped = false;
                else if (c == "\\") escaped = true;
                else if (c == "\"") stringOpen = false;
            }
            else if (!commentOpen)
            {
                if (c == "/" && At(characters, t + 1) == "/") commentOpen = true;
                else if (c == "\"") stringOpen = true;
                else if (c == "'" && At(characters, t + 2) == "'") skip = 2; // 'x'
                else if (c == "'" && At(characters, t + 1) == "\\" && At(characters, t + 3) == "'") skip = 3; // '\n'
                else if (c == "(") parenDepth++;
                else if (c == ")") parenDepth = Math.Max(0, parenDepth - 1);
                else if (c == "[") bracketDepth++;
                else if (c == "]") bracketDepth = Math.Max(0, bracketDepth - 1);
                else if (c == "{") braceDepth++;
                else if (c == "}") braceDepth = Math.Max(0, braceDepth - 1);
            }
            // Both quotes belong to the string (the paper's quote cells light up from one to the other inclusive).
            inString[t] = stringOpen || wasInString ? 1 : 0;
            inComment[t] = commentOpen ? 1 : 0;
            parens[t] = parenDepth;
            brackets[t] = bracketDepth;
            braces[t] = braceDepth;
            column[t] = col;
            indentation[t] = indent;
        }
        return
        [
            new("inside a string", inString),
            new("inside a comment", inComment),
            new("parenthesis depth", parens),
            new("bracket depth", brackets),
            new("brace depth", braces),
            new("position in line", column),
            new("indentation", indentation),
        ];
    }

    private static string? At(IReadOnlyList<string> characters, int index) => index < characters.Count ? characters[index] : null;
}
