namespace Microsoft.ML.Recurrent;

/// <summary>An image file and its reference captions.</summary>
/// <param name="ImagePath">Full path of the image file.</param>
/// <param name="Captions">One or more captions of the image.</param>
public sealed record CaptionedImage(string ImagePath, IReadOnlyList<string> Captions);
