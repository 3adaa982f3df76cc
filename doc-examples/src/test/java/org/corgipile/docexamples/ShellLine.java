package org.corgipile.docexamples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One command of a shell block: continuation lines joined, the trailing comment dropped, split into words with
 * POSIX quoting ('...', "...", backslash) and {@code $NAME} expanded from the given variables.
 */
record ShellLine(int index, List<String> env, List<String> words) {

    /** The commands of a block: index is the 0-based line of the block where each starts. */
    static List<ShellLine> commands(List<String> lines, Map<String, String> vars) {
        List<ShellLine> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (start < 0) {
                if (l.isBlank() || l.strip().startsWith("#")) {
                    continue;
                }
                start = i;
            }
            String stripped = l.stripTrailing();
            if (stripped.endsWith("\\")) {
                cur.append(stripped, 0, stripped.length() - 1).append(' ');
                continue;
            }
            cur.append(l);
            out.add(split(start, cur.toString(), vars));
            cur.setLength(0);
            start = -1;
        }
        if (start >= 0) {
            out.add(split(start, cur.toString(), vars));
        }
        return out;
    }

    static ShellLine split(int index, String line, Map<String, String> vars) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                w.append(line, i + 1, end < 0 ? line.length() : end);
                i = end < 0 ? line.length() : end;
                inWord = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char d = line.charAt(j);
                    if (d == '\\' && j + 1 < line.length() && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                        w.append(line.charAt(++j));
                    } else if (d == '$') {
                        j = expand(line, j, vars, w);
                    } else {
                        w.append(d);
                    }
                }
                i = j;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
                inWord = true;
            } else if (c == '$') {
                i = expand(line, i, vars, w);
                inWord = true;
            } else if (c == '#' && !inWord) {
                break;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        List<String> env = new ArrayList<>();
        while (!words.isEmpty() && words.get(0).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            env.add(words.remove(0));
        }
        return new ShellLine(index, env, words);
    }

    /** Appends the value of $NAME or ${NAME} at {@code i}; returns the index of its last character. */
    private static int expand(String line, int i, Map<String, String> vars, StringBuilder w) {
        int j = i + 1;
        boolean braced = j < line.length() && line.charAt(j) == '{';
        if (braced) {
            j++;
        }
        int from = j;
        while (j < line.length() && (Character.isLetterOrDigit(line.charAt(j)) || line.charAt(j) == '_')) {
            j++;
        }
        String name = line.substring(from, j);
        if (name.isEmpty()) {
            w.append('$');
            return i;
        }
        if (!vars.containsKey(name)) {
            throw new IllegalArgumentException("$" + name + " is not one of the documented variables " + vars.keySet());
        }
        w.append(vars.get(name));
        return braced ? j : j - 1;
    }

    String program() {
        return words.isEmpty() ? "" : words.get(0);
    }

    @Override
    public String toString() {
        return String.join(" ", words);
    }
}
