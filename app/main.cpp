// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/stack.h"
#include "capturesession.h"
#include "core/version.h"
#include "lab/scenario.h"
#include "labsession.h"
#include "logmodel.h"
#include "mainwindow.h"
#include "network/networkpanel.h"
#include "network/networksession.h"
#include "sessionfiles.h"
#include "theme.h"
#include "journal/journal.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <initializer_list>

namespace {
// The window's command line, built once for the window and once, without one, for --help and
// --version.
struct CommandLine {
    QCommandLineParser parser;
    QCommandLineOption screenshot { QStringList { QStringLiteral("screenshot") },
        QStringLiteral("Render the main window to a PNG file and exit."), QStringLiteral("FILE") };
    QCommandLineOption afterMs { QStringList { QStringLiteral("after-ms") },
        QStringLiteral("With --screenshot: wait N milliseconds before rendering (default 800)."), QStringLiteral("N"),
        QStringLiteral("800") };
    QCommandLineOption theme { QStringList { QStringLiteral("theme") },
        QStringLiteral("Colour theme: system, light or dark (default: the saved choice)."), QStringLiteral("NAME") };
    QCommandLineOption size { QStringList { QStringLiteral("size") },
        QStringLiteral("Window size WIDTHxHEIGHT (for screenshots)."), QStringLiteral("WxH") };
    QCommandLineOption scenario { QStringList { QStringLiteral("scenario") },
        QStringLiteral("Lab scenario to start with (default: invite-lossy-udp; `ladderctl lab list` names them)."),
        QStringLiteral("NAME") };
    QCommandLineOption noLab { QStringList { QStringLiteral("no-lab") },
        QStringLiteral("Open without starting a lab scenario.") };
    QCommandLineOption noAutosave { QStringList { QStringLiteral("no-autosave") },
        QStringLiteral("Do not restore drafts or autosave the session (implied by --screenshot).") };
    QCommandLineOption view { QStringList { QStringLiteral("view") },
        QStringLiteral("With --screenshot: bring this view forward first: timeline, ladder, graphs, calls, transactions, dialogs, "
                       "associations, streams, composer-sip, composer-sctp, inspector, log, lab, network."),
        QStringLiteral("NAME") };
    QCommandLineOption capture { QStringList { QStringLiteral("capture") },
        QStringLiteral("Start capturing live on this interface (lo, any, eth0…) instead of the lab."),
        QStringLiteral("IFACE") };
    QCommandLineOption captureFilter { QStringList { QStringLiteral("capture-filter") },
        QStringLiteral("With --capture: the BPF filter (default: SIP's ports, SCTP, UDP 9899)."), QStringLiteral("BPF") };
    QCommandLineOption listen { QStringList { QStringLiteral("listen") },
        QStringLiteral("Start in network mode, a SIP endpoint listening on PROTO:HOST:PORT (udp, tcp, tls, ws or wss; "
                       "repeatable), instead of the lab. Example: --listen udp:127.0.0.1:15070."),
        QStringLiteral("PROTO:HOST:PORT") };

    CommandLine()
    {
        parser.setApplicationDescription(
            QStringLiteral("See SIP and SCTP work: live transactions, dialogs, associations and streams."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({ screenshot, afterMs, theme, size, scenario, noLab, noAutosave, view, capture, captureFilter, listen });
        parser.addPositionalArgument(QStringLiteral("file"),
            QStringLiteral("A session (.ladderlab), capture (.pcap, .pcapng) or JSON Lines journal to open instead of the lab."),
            QStringLiteral("[file]"));
    }
};

bool given(int argc, char* argv[], std::initializer_list<const char*> names)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--") == 0)
            return false;
        for (const char* n : names)
            if (std::strcmp(argv[i], n) == 0)
                return true;
    }
    return false;
}
} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication::setOrganizationName(QStringLiteral("LadderLab"));
    QCoreApplication::setApplicationName(QStringLiteral("ladderlab"));
    QCoreApplication::setApplicationVersion(ladder::appVersion());
    // --help and --version answer on a terminal without a display (over ssh, in a script): Qt's
    // platform plugin would abort before the options were read.
    if (given(argc, argv, { "-h", "--help", "-?", "--help-all", "-v", "--version" })) {
        QCoreApplication core(argc, argv);
        CommandLine cli;
        (void)cli.parser.parse(QCoreApplication::arguments()); // Qt's own options (-platform) are not ours
        if (given(argc, argv, { "-h", "--help", "-?", "--help-all" }))
            std::fputs(qPrintable(cli.parser.helpText()), stdout);
        else
            std::printf("%s %s\n", qPrintable(QCoreApplication::applicationName()),
                qPrintable(QCoreApplication::applicationVersion()));
        return 0; // returning, not exit(): everything is torn down
    }
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") && !given(argc, argv, { "-platform", "--platform" })) {
        std::fprintf(stderr,
            "ladderlab: no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). Run it in a "
            "desktop session, under 'xvfb-run -a', or with QT_QPA_PLATFORM=offscreen (with --screenshot); "
            "ladderctl is the command-line twin.\n");
        return 2;
    }
#endif
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("LadderLab"));
    QApplication::setDesktopFileName(QStringLiteral(LADDERLAB_APP_ID));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/ladderlab.svg")));

    CommandLine cli;
    QCommandLineParser& parser = cli.parser;
    parser.process(app);
    const QCommandLineOption &screenshot = cli.screenshot, &afterMs = cli.afterMs, &theme = cli.theme, &size = cli.size,
                             &scenario = cli.scenario, &noLab = cli.noLab, &noAutosave = cli.noAutosave, &view = cli.view,
                             &capture = cli.capture, &captureFilter = cli.captureFilter, &listen = cli.listen;

    bool ok = true;
    const int delay = parser.value(afterMs).toInt(&ok);
    if (!ok || delay < 0) {
        std::fprintf(stderr, "ladderlab: --after-ms takes a whole number of milliseconds, not '%s'\n",
            qPrintable(parser.value(afterMs)));
        return 2;
    }
    const QString themeName
        = parser.isSet(theme) ? parser.value(theme) : QSettings().value(QStringLiteral("ui/theme")).toString();
    if (parser.isSet(theme) && themeName != QLatin1String("system") && themeName != QLatin1String("light")
        && themeName != QLatin1String("dark")) {
        std::fprintf(stderr, "ladderlab: --theme takes system, light or dark, not '%s'\n", qPrintable(themeName));
        return 2;
    }
    ladder::ui::applyTheme(ladder::ui::themeFromString(themeName));
    QList<ladder::ui::ListenerSpec> listeners;
    for (const QString& text : parser.values(listen)) {
        ladder::ui::ListenerSpec spec;
        QString error;
        if (!ladder::ui::ListenerSpec::parse(text, &spec, &error)) {
            std::fprintf(stderr, "ladderlab: --listen: %s\n", qPrintable(error));
            return 2;
        }
        listeners << spec;
    }

    ladder::StackThread stack;
    stack.invoke([](ladder::Stack& s) { s.log(1, ladder::versionLine() + QStringLiteral(" started")); });

    ladder::ui::MainWindow window(stack.journal());
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0)
            window.resize(wh[0].toInt(), wh[1].toInt());
    }
    ladder::ui::LabSession lab(stack, window);
    ladder::ui::CaptureSession live(stack, window);
    ladder::ui::NetworkSession network(stack, window);
    if (!parser.isSet(noAutosave) && !parser.isSet(screenshot))
        window.startAutosave(ladder::ui::SessionFiles::defaultAutosavePath());
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) {
        QString error;
        if (!window.openFile(files.first(), &error)) {
            std::fprintf(stderr, "ladderlab: %s\n", qPrintable(error));
            return 2;
        }
    } else if (parser.isSet(capture)) {
        ladder::trace::LiveCaptureOptions options;
        options.device = parser.value(capture);
        if (parser.isSet(captureFilter))
            options.filter = parser.value(captureFilter);
        QString error;
        if (!live.start(options, &error)) {
            std::fprintf(stderr, "ladderlab: %s\n", qPrintable(error));
            return 2;
        }
    } else if (!listeners.isEmpty()) {
        // Named on the command line: bound without the panel's question, not saved as its list.
        QString error;
        if (!network.start(listeners, &error)) {
            std::fprintf(stderr, "ladderlab: --listen: %s\n", qPrintable(error));
            return 1;
        }
        std::printf("ladderlab: network mode, listening on %s\n", qPrintable(network.bound().join(QStringLiteral(" "))));
        std::fflush(stdout);
    } else if (!parser.isSet(noLab)) {
        const QStringList names = ladder::lab::scenarioNames();
        QString first = parser.isSet(scenario) ? parser.value(scenario) : QStringLiteral("invite-lossy-udp");
        if (!names.contains(first)) {
            if (parser.isSet(scenario)) {
                std::fprintf(stderr, "ladderlab: no lab scenario named '%s' (ladderctl lab list names them)\n",
                    qPrintable(first));
                return 2;
            }
            first = names.value(0);
        }
        if (!first.isEmpty())
            lab.start(first);
    }
    window.show();

    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        const QString viewName = parser.value(view);
        QWidget* target = &window;
        if (!viewName.isEmpty() && !(target = window.showView(viewName))) {
            std::fprintf(stderr, "ladderlab: --view: no view named '%s'\n", qPrintable(viewName));
            return 2;
        }
        // A view on its own, at a size that shows all of it: the timeline and ladder get the whole
        // window, a dock floats at a wide size.
        if (auto* dockWidget = qobject_cast<QDockWidget*>(target)) {
            dockWidget->setFloating(true);
            dockWidget->resize(viewName == QLatin1String("transactions") ? QSize(1280, 560)
                    : viewName.startsWith(QLatin1String("composer")) || viewName == QLatin1String("lab") || viewName == QLatin1String("network")
                        || viewName == QLatin1String("inspector")
                    ? QSize(640, 720)
                    : QSize(1280, 360));
        } else if (target != &window) {
            for (const QString& name : ladder::ui::MainWindow::dockNames())
                window.dock(name)->hide();
        }
        QTimer::singleShot(delay, &window, [&window, &app, file, target, viewName] {
            window.follower()->poll();
            if (viewName == QLatin1String("inspector") || viewName == QLatin1String("ladder")) {
                // Something to look at: the newest message on the wire.
                const auto journal = window.follower()->journal();
                qint64 newest = -1;
                journal->forEach(0, window.follower()->seen(), [&](const ladder::trace::Event& e) {
                    if (e.kind == ladder::trace::Kind::SipMessage || e.kind == ladder::trace::Kind::SctpPacket)
                        newest = qint64(e.seq);
                });
                if (newest >= 0)
                    window.inspect(quint64(newest));
            }
            QApplication::processEvents();
            const QPixmap shot = target->grab();
            if (shot.isNull() || !shot.save(file, "PNG")) {
                std::fprintf(stderr, "ladderlab: could not write the screenshot to '%s'\n", qPrintable(file));
                app.exit(1);
                return;
            }
            app.exit(0);
        });
    }
    return app.exec();
}
