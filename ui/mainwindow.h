// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ladder/ladderbuilder.h"
#include "sctp/snapshot.h"
#include "sip/snapshot.h"
#include "theme.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <functional>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QDockWidget;
class QTableView;

namespace ladder {
class StackThread;
namespace trace {
    class Journal;
}
} // namespace ladder

namespace ladder::ui {

class InspectorWidget;
class LabPanel;
class SctpComposer;
class SipComposer;
class JournalFollower;
class AssociationModel;
class DialogModel;
class ForkTreeModel;
class PathTreeModel;
class LadderView;
class GraphsPane;
class CallListPane;
class StreamModel;
class TransactionModel;
class LogModel;
class SessionFiles;
class StateMachineView;
class TimelineView;

// The frame of the product: timeline in the middle, a dock per live view around it.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Docks by object name; tests and the View menu rely on these names.
    static QStringList dockNames();

    explicit MainWindow(std::shared_ptr<trace::Journal> journal, QWidget* parent = nullptr);
    ~MainWindow() override;

    QDockWidget* dock(const QString& objectName) const;
    LogModel* logModel() const { return m_logModel; }
    JournalFollower* follower() const { return m_follower; }
    TimelineView* timeline() const { return m_timeline; }
    LadderView* ladder() const { return m_ladder; }
    CallListPane* callList() const { return m_calls; }
    // Live state from the stack thread (queued, at most 20 Hz); ignored while a file is shown.
    void setSipSnapshot(const sip::StackSnapshot& snapshot);
    void setAssociations(const QList<sctp::AssociationInfo>& associations);
    // A live capture's refresh: only the transactions and dialogs created or changed since the
    // last one (its reconstruction never removes any); the other rows stay as they are.
    void updateSipTables(const sip::StackSnapshot& changes);
    void clearLiveState();
    LabPanel* labPanel() const { return m_labPanel; }
    SipComposer* sipComposer() const { return m_sipComposer; }
    SctpComposer* sctpComposer() const { return m_sctpComposer; }
    QTabWidget* composerTabs() const { return m_composerTabs; }
    TransactionModel* transactionModel() const { return m_transactionModel; }
    DialogModel* dialogModel() const { return m_dialogModel; }
    ForkTreeModel* forkTree() const { return m_forkTree; }
    AssociationModel* associationModel() const { return m_associationModel; }
    StreamModel* streamModel() const { return m_streamModel; }
    // Inspects the newest journal event of one of these kinds about object id.
    void showObject(const QList<trace::Kind>& kinds, quint64 id);
    // Rebuilds the ladder from the journal for one call/association (an empty filter: everything).
    void setLadderScope(const QString& title, LadderBuilder::Filter filter);
    InspectorWidget* inspector() const { return m_inspector; }
    // Shows journal event seq in the inspector and selects it on the timeline.
    void inspect(quint64 seq);
    // The transaction, dialog or association of the event last inspected (0: none): what the Lab
    // panel's Step over follows.
    quint64 inspectedObject() const { return m_inspectedObject; }
    // Files: sessions, captures, JSONL; drafts and autosave.
    SessionFiles* files() const { return m_files; }
    StateMachineView* stateMachine() const { return m_stateMachine; }
    // Opens a session, capture or JSONL file as the File menu does; true on success. Errors go to
    // *error, or to a message box when error is null.
    // A capture is read off the UI thread (SessionFiles::startOpen) while this waits, the window
    // staying live.
    bool openFile(const QString& path, QString* error = nullptr);
    // What File ▸ Open does: returns at once; a capture fills the views as it is read, with a
    // progress bar and a Cancel in the status bar; errors go to a message box.
    void openFileInBackground(const QString& path);
    // Cancel on the progress bar: reading stops, what was read stays.
    void cancelOpen();
    QProgressBar* loadProgressBar() const { return m_loadBar; }
    QPushButton* loadCancelButton() const { return m_loadCancel; }
    // Brings a view forward (timeline, ladder, transactions, dialogs, associations, streams,
    // composer-sip, composer-sctp, inspector, log, lab) and returns the widget that shows it.
    QWidget* showView(const QString& name);
    // Called before a file replaces the journal (the lab session stops the running scenario).
    void setBeforeLoad(std::function<void()> fn);
    // Stops the running lab scenario (a live capture takes the journal over), through the same hook.
    void stopLab();
    QMenu* fileMenu() const { return m_fileMenu; }
    // The status bar's mode ("Lab", "File: x.pcapng", "Capture: lo") and its tooltip.
    void setModeText(const QString& text, const QString& toolTip);
    // Offline content (an opened file) is shown instead of live state until a lab run starts.
    bool isOffline() const { return m_offline; }
    void setOffline(const QString& file);
    // Restores the last run's drafts and autosaves the session to path from now on.
    void startAutosave(const QString& path);

signals:
    // openFile() was called: whatever appends to the journal (a live capture) stops now.
    void aboutToOpenFile();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createCentral();
    void createActions();
    void createDocks();
    void createStatusBar();
    QDockWidget* addDockView(const QString& objectName, const QString& title, QWidget* content, Qt::DockWidgetArea area,
        const QKeySequence& toggle);
    void restoreLayout();
    void saveLayout();
    void resetLayout();
    void setTheme(Theme theme);
    void showAbout();
    void updateStatus();
    void exportLadder(const QString& format);
    void applySipSnapshot(const sip::StackSnapshot& snapshot);
    void applyAssociations(const QList<sctp::AssociationInfo>& associations);
    void openDialog();
    void saveDialog();
    void exportDialog(const QString& format);
    void recoverPrevious();
    void connectFileLoading();

    std::shared_ptr<trace::Journal> m_journal;
    JournalFollower* m_follower = nullptr;
    LogModel* m_logModel = nullptr;
    TimelineView* m_timeline = nullptr;
    InspectorWidget* m_inspector = nullptr;
    QAction* m_followAction = nullptr;
    QTabWidget* m_centralTabs = nullptr;
    QTabWidget* m_composerTabs = nullptr;
    SipComposer* m_sipComposer = nullptr;
    SctpComposer* m_sctpComposer = nullptr;
    LabPanel* m_labPanel = nullptr;
    TransactionModel* m_transactionModel = nullptr;
    DialogModel* m_dialogModel = nullptr;
    ForkTreeModel* m_forkTree = nullptr;
    PathTreeModel* m_pathTree = nullptr;
    AssociationModel* m_associationModel = nullptr;
    StreamModel* m_streamModel = nullptr;
    LadderView* m_ladder = nullptr;
    GraphsPane* m_graphs = nullptr; // the TSN graph tab
    CallListPane* m_calls = nullptr; // the Calls tab
    QLabel* m_ladderScope = nullptr;
    std::unique_ptr<LadderBuilder> m_ladderBuilder;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_fileMenu = nullptr;
    std::function<void()> m_stopLab;
    QByteArray m_defaultState;
    QLabel* m_eventsLabel = nullptr;
    QLabel* m_rateLabel = nullptr;
    QLabel* m_modeLabel = nullptr;
    SessionFiles* m_files = nullptr;
    QProgressBar* m_loadBar = nullptr;
    QPushButton* m_loadCancel = nullptr;
    QString m_loadingPath;
    QString* m_openError = nullptr; // openFile()'s, while it waits
    bool m_openOk = false;
    QElapsedTimer m_tablesClock; // since the last table update of a file being read
    qint64 m_tablesCostMs = 0; // what that update took
    StateMachineView* m_stateMachine = nullptr;
    QAction* m_recoverAction = nullptr;
    bool m_offline = false;
    quint64 m_inspectedObject = 0;
    quint64 m_lastCount = 0;
    qint64 m_lastStatusMs = 0;
};

} // namespace ladder::ui
