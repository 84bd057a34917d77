// The admin form of a periodic task (django-celery-beat): under the crontab field, show the
// chosen schedule in words. Moved out of the package's template, whose inline script the
// Content-Security-Policy would block.
(function () {
  const $ = window.django && window.django.jQuery;
  const script = document.getElementById("periodic-task-overrides");
  const data = document.getElementById("readable-crontabs");
  if (!$ || !script || !data) {
    return;
  }
  const readableCrontabs = JSON.parse(data.textContent);
  const originalHelp = script.dataset.crontabHelp || "";

  function updateCrontabHelp(readable) {
    const help = $(".field-crontab .help");
    help.text(originalHelp);
    if (readable) {
      help.append(document.createElement("br"), document.createTextNode(readable));
    }
  }

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    updateCrontabHelp(readableCrontabs[$("#id_crontab").val()]);
  });
})();
