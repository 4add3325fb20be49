using Microsoft.ML.Recurrent.Tools.FewRowsGenerator;

// dotnet run --project tools/FewRowsGenerator [-- --check | --stdout]
//   (no option)  writes src/Microsoft.ML.Recurrent/Core/Numerics/Gemm.FewRows.Generated.cs;
//   --check      writes nothing; exits 1 when the checked-in file is not what the generator writes;
//   --stdout     prints the generated text instead of writing it.
string mode = args.Length == 0 ? "" : args[0];
if (args.Length > 1 || mode is not ("" or "--check" or "--stdout"))
{
    Console.Error.WriteLine("usage: dotnet run --project tools/FewRowsGenerator [-- --check | --stdout]");
    return 2;
}

string text = FewRowsSource.Generate();
if (mode == "--stdout")
{
    using var stdout = Console.OpenStandardOutput();
    stdout.Write(FewRowsSource.Encoding.GetBytes(text));
    return 0;
}

// The binary lies under tools/FewRowsGenerator/bin, inside the repository, wherever the command is run from.
string path = Path.Combine(FewRowsSource.FindRepositoryRoot(AppContext.BaseDirectory), FewRowsSource.RelativePath);
string? difference = File.Exists(path) ? FewRowsSource.Difference(File.ReadAllBytes(path)) : "the file does not exist";
if (mode == "--check")
{
    Console.WriteLine(difference is null ? $"{path} is up to date" : $"{path} is out of date: {difference}");
    return difference is null ? 0 : 1;
}

if (difference is null)
{
    Console.WriteLine($"{path} is up to date");
}
else
{
    File.WriteAllBytes(path, FewRowsSource.Encoding.GetBytes(text));
    Console.WriteLine($"wrote {path}");
}

return 0;
