package io.flotilla.perf.harness;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Plots HdrHistogram percentile distributions ({@code .hgrm} files, values in microseconds) into one PNG: latency
 * on a log scale against the percentile on the usual log scale of 1/(1-p), one line per file. Headless AWT only.
 * <pre>
 * java -Djava.awt.headless=true -cp perf/target/flotilla-benchmarks.jar io.flotilla.perf.harness.HgrmPlot \
 *     out.png "title" a.hgrm b.hgrm ...
 * </pre>
 */
public final class HgrmPlot
{
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 720;
    private static final int LEFT = 90;
    private static final int RIGHT = 60;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf) };
    private static final String[] PERCENTILE_LABELS = {
        "0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%", "99.99999%" };

    private HgrmPlot()
    {
    }

    /**
     * @param args output PNG, title, then one or more {@code .hgrm} files.
     * @throws IOException if a file cannot be read or the PNG written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 3)
        {
            System.err.println("usage: HgrmPlot OUT.png TITLE FILE.hgrm...");
            System.exit(2);
        }
        final List<Path> files = new ArrayList<>();
        for (int i = 2; i < args.length; i++)
        {
            files.add(Paths.get(args[i]));
        }
        plot(Paths.get(args[0]), args[1], files);
    }

    /**
     * Write the plot.
     *
     * @param png   output file.
     * @param title plot title.
     * @param files {@code .hgrm} files; the legend uses their names without the extension.
     * @throws IOException if a file cannot be read or the PNG written.
     */
    public static void plot(final Path png, final String title, final List<Path> files) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final List<Series> series = new ArrayList<>();
        for (final Path file : files)
        {
            series.add(Series.read(file));
        }

        double minValue = Double.MAX_VALUE;
        double maxValue = 0;
        double maxX = 3;
        for (final Series s : series)
        {
            for (int i = 0; i < s.size(); i++)
            {
                minValue = Math.min(minValue, Math.max(s.value(i), 0.1));
                maxValue = Math.max(maxValue, s.value(i));
                maxX = Math.max(maxX, s.x(i));
            }
        }
        if (maxValue == 0)
        {
            throw new IllegalArgumentException("no data points in " + files);
        }
        final double yMin = Math.floor(Math.log10(minValue));
        final double yMax = Math.max(Math.ceil(Math.log10(maxValue)), yMin + 1);
        final double xMax = Math.min(Math.ceil(maxX), PERCENTILE_LABELS.length - 1);

        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            final Frame frame = new Frame(xMax, yMin, yMax);
            drawAxes(g, frame, title);
            for (int i = 0; i < series.size(); i++)
            {
                drawSeries(g, frame, series.get(i), COLORS[i % COLORS.length], i);
            }
        }
        finally
        {
            g.dispose();
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(image, "png", png.toFile());
    }

    private static void drawAxes(final Graphics2D g, final Frame frame, final String title)
    {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, TOP - 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int decade = (int)frame.yMin; decade <= (int)frame.yMax; decade++)
        {
            final int y = frame.y(Math.pow(10, decade));
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            g.setColor(Color.BLACK);
            g.drawString(latencyLabel(decade), 10, y + 4);
        }
        for (int tick = 0; tick <= (int)frame.xMax; tick++)
        {
            final int x = frame.x(tick);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, TOP, x, HEIGHT - BOTTOM);
            g.setColor(Color.BLACK);
            final String label = PERCENTILE_LABELS[tick];
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, HEIGHT - BOTTOM + 18);
        }
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        g.drawString("x: percentile (log scale of 1/(1-p));  y: round trip (log scale)", LEFT, HEIGHT - 20);
    }

    private static void drawSeries(
        final Graphics2D g, final Frame frame, final Series series, final Color color, final int index)
    {
        final Path2D.Double line = new Path2D.Double();
        for (int i = 0; i < series.size(); i++)
        {
            final double x = Math.min(series.x(i), frame.xMax);
            final int px = frame.x(x);
            final int py = frame.y(Math.max(series.value(i), Math.pow(10, frame.yMin)));
            if (i == 0)
            {
                line.moveTo(px, py);
            }
            else
            {
                line.lineTo(px, py);
            }
        }
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        g.draw(line);
        final int legendY = TOP + 20 + index * 18;
        g.drawLine(LEFT + 15, legendY - 4, LEFT + 40, legendY - 4);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "%s  (max %.1f us)", series.name, series.max), LEFT + 48, legendY);
    }

    private static String latencyLabel(final int decade)
    {
        final double us = Math.pow(10, decade);
        if (us >= 1_000_000)
        {
            return String.format(Locale.ROOT, "%.0f s", us / 1_000_000);
        }
        if (us >= 1000)
        {
            return String.format(Locale.ROOT, "%.0f ms", us / 1000);
        }
        return String.format(Locale.ROOT, us < 1 ? "%.1f us" : "%.0f us", us);
    }

    private static final class Frame
    {
        final double xMax;
        final double yMin;
        final double yMax;

        Frame(final double xMax, final double yMin, final double yMax)
        {
            this.xMax = xMax;
            this.yMin = yMin;
            this.yMax = yMax;
        }

        int x(final double logInverse)
        {
            return LEFT + (int)Math.round(logInverse / xMax * (WIDTH - LEFT - RIGHT));
        }

        int y(final double valueUs)
        {
            final double fraction = (Math.log10(valueUs) - yMin) / (yMax - yMin);
            return HEIGHT - BOTTOM - (int)Math.round(fraction * (HEIGHT - TOP - BOTTOM));
        }
    }

    /**
     * One distribution: values (us) against log10(1/(1-p)); the 100th percentile (infinite x) is kept as max only.
     */
    static final class Series
    {
        final String name;
        final double[] values;
        final double[] xs;
        final int count;
        final double max;

        private Series(final String name, final double[] values, final double[] xs, final int count, final double max)
        {
            this.name = name;
            this.values = values;
            this.xs = xs;
            this.count = count;
            this.max = max;
        }

        static Series read(final Path file) throws IOException
        {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            final double[] values = new double[lines.size()];
            final double[] xs = new double[lines.size()];
            int count = 0;
            double max = 0;
            for (final String line : lines)
            {
                final String[] tokens = line.trim().split("\\s+");
                if (tokens.length < 3 || !Character.isDigit(tokens[0].charAt(0)))
                {
                    continue;
                }
                final double value = Double.parseDouble(tokens[0]);
                final double percentile = Double.parseDouble(tokens[1]);
                max = Math.max(max, value);
                if (percentile < 1.0)
                {
                    values[count] = value;
                    xs[count] = Math.log10(1.0 / (1.0 - percentile));
                    count++;
                }
            }
            if (count == 0)
            {
                throw new IOException("no percentile lines in " + file + " (an empty histogram?)");
            }
            final String fileName = file.getFileName().toString();
            return new Series(fileName.replaceFirst("\\.hgrm$", ""), values, xs, count, max);
        }

        int size()
        {
            return count;
        }

        double value(final int i)
        {
            return values[i];
        }

        double x(final int i)
        {
            return xs[i];
        }
    }
}
