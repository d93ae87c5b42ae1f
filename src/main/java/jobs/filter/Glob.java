package jobs.filter;

import java.util.regex.Pattern;

/** A shell-style pattern as Velero accepts for namespaces: {@code *}, {@code ?} and {@code [abc]} classes. */
public final class Glob {

    private final String text;
    private final Pattern pattern;

    private Glob(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    public static Glob compile(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty pattern");
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int end = text.indexOf(']', i + 1);
                    if (end < 0 || end == i + 1) {
                        throw new IllegalArgumentException("unclosed or empty [ ] in pattern '" + text + "'");
                    }
                    String body = text.substring(i + 1, end);
                    if (!body.matches("[A-Za-z0-9.\\-]+")) {
                        throw new IllegalArgumentException("bad character class [" + body + "] in pattern '" + text + "'");
                    }
                    regex.append('[').append(body.replace("\\", "\\\\")).append(']');
                    i = end;
                }
                default -> {
                    if (!Character.isLetterOrDigit(c) && c != '-' && c != '.') {
                        throw new IllegalArgumentException("character '" + c + "' not allowed in pattern '" + text + "'");
                    }
                    regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
        }
        return new Glob(text, Pattern.compile(regex.toString()));
    }

    public boolean matches(String value) {
        return pattern.matcher(value).matches();
    }

    public boolean isLiteral() {
        return text.chars().noneMatch(c -> c == '*' || c == '?' || c == '[');
    }

    @Override
    public String toString() {
        return text;
    }
}
